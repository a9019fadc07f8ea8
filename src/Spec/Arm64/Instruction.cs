namespace Kvmspec.Spec.Arm64;

/// <summary>One guest instruction: its kind and, for branches, the target; for RAM accesses,
/// whether the page starts unmapped at stage 2.</summary>
public readonly record struct Instruction(InstructionKind Kind, ulong Target = 0, bool Stage2Fault = false)
{
    /// <summary>Every A64 instruction is 4 bytes.</summary>
    public const ulong Length = 4;

    public string Mnemonic => Kind switch
    {
        InstructionKind.Nop => "add x1, x1, #1",
        InstructionKind.Branch => $"b 0x{Target:X}",
        InstructionKind.LoadRam => Stage2Fault ? "ldr x0, [ram] (page unmapped)" : "ldr x0, [ram]",
        InstructionKind.StoreRam => Stage2Fault ? "str x0, [ram] (page unmapped)" : "str x0, [ram]",
        InstructionKind.MmioLoadKernel => "ldr w0, [gicd]",
        InstructionKind.MmioLoadUser => "ldr x0, [mmio]",
        InstructionKind.MmioStoreUser => "str x0, [mmio]",
        InstructionKind.MmioNoIsv => "ldr x0, [mmio], #8",
        InstructionKind.MsrDbgbvr => "msr dbgbvr0_el1, x0",
        InstructionKind.MrsDbgbvr => "mrs x0, dbgbvr0_el1",
        InstructionKind.MrsMdscr => "mrs x0, mdscr_el1",
        InstructionKind.CondFailedA32 => "mrcne p15 (condition fails)",
        InstructionKind.GicV2CpuIfFault => "ldr w0, [gicc] (fails in hyp)",
        InstructionKind.Hvc => "hvc #0",
        InstructionKind.Svc => "svc #0",
        InstructionKind.Brk => "brk #0",
        InstructionKind.UnmaskSError => "msr daifclr, #4",
        InstructionKind.Wfi => "wfi",
        InstructionKind.Eret => "eret",
        InstructionKind.HandlerSkipIfFault => "handler: elr += 4 unless svc",
        InstructionKind.HandlerAck => "handler: ack",
        _ => Kind.ToString(),
    };

    public override string ToString() => Mnemonic;
}
