namespace Kvmspec.Spec.Arm64;

/// <summary>One guest instruction: its kind and, for branches, the target; for RAM accesses,
/// whether the page starts unmapped at stage 2; for MSR/MRS, the system register and the value written.</summary>
public readonly record struct Instruction(InstructionKind Kind, ulong Target = 0, bool Stage2Fault = false, Kvm.SysReg Reg = default, ulong Value = 0)
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
        InstructionKind.HandlerSkipIfFault => "handler: by ESR_EL1.EC (brk/abort: elr += 4; bp/wp: spsr.D = 1; step: spsr.SS = 1)",
        InstructionKind.MsrImm => $"msr {Reg.ToString().ToLowerInvariant()}, #0x{Value:X}",
        InstructionKind.MrsReg => $"mrs x0, {Reg.ToString().ToLowerInvariant()}",
        InstructionKind.DaifSetD => "msr daifset, #8",
        InstructionKind.DaifClrD => "msr daifclr, #8",
        InstructionKind.HandlerAck => "handler: ack",
        _ => Kind.ToString(),
    };

    public override string ToString() => Mnemonic;

    /// <summary>The system-register access of an MSR or MRS: which register, and whether it writes; null for other kinds.</summary>
    public (Kvm.SysReg Reg, bool IsWrite)? SysRegAccess => Kind switch
    {
        InstructionKind.MsrDbgbvr => (Kvm.SysReg.DBGBVR0_EL1, true),
        InstructionKind.MrsDbgbvr => (Kvm.SysReg.DBGBVR0_EL1, false),
        InstructionKind.MrsMdscr => (Kvm.SysReg.MDSCR_EL1, false),
        InstructionKind.MsrImm => (Reg, true),
        InstructionKind.MrsReg => (Reg, false),
        _ => null,
    };

    /// <summary>The value an MSR writes: its immediate, or x0 for the register form [MSR DBGBVR0_EL1, x0].</summary>
    public ulong WrittenValue(ulong x0) => Kind == InstructionKind.MsrDbgbvr ? x0 : Value;

    public static Instruction Msr(Kvm.SysReg reg, ulong value) => new(InstructionKind.MsrImm, Reg: reg, Value: value);
    public static Instruction Mrs(Kvm.SysReg reg) => new(InstructionKind.MrsReg, Reg: reg);
}
