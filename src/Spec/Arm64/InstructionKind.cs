namespace Kvmspec.Spec.Arm64;

/// <summary>The kinds of guest instruction the arm64 model executes, named by what the
/// architecture and KVM do with them.</summary>
/// <remarks>
/// Each kind stands for a class of real instructions (the mnemonic in brackets is the example
/// the model prints). Whether a kind traps is decided by the hardware configuration (for example
/// MDCR_EL2.TDA for debug registers), not by the kind.
/// </remarks>
public enum InstructionKind
{
    /// <summary>An ordinary instruction retired by hardware [ADD].</summary>
    Nop,
    /// <summary>An unconditional branch [B target].</summary>
    Branch,
    /// <summary>A load from RAM; may first take a stage-2 translation fault that KVM resolves by mapping the page [LDR].</summary>
    LoadRam,
    /// <summary>A store to RAM; may first take a stage-2 translation fault [STR].</summary>
    StoreRam,
    /// <summary>A load from an MMIO region emulated in the kernel (for example the vGIC distributor) [LDR, ISV=1].</summary>
    MmioLoadKernel,
    /// <summary>A load from an MMIO region emulated by the VMM: KVM_EXIT_MMIO, completed on re-entry [LDR, ISV=1].</summary>
    MmioLoadUser,
    /// <summary>A store to an MMIO region emulated by the VMM: KVM_EXIT_MMIO [STR, ISV=1].</summary>
    MmioStoreUser,
    /// <summary>An MMIO access without a valid syndrome (ISV=0: post-indexed, pair) [LDR x0, [x1], #8].</summary>
    MmioNoIsv,
    /// <summary>A write to a debug register [MSR DBGBVR0_EL1, x0]; traps when MDCR_EL2.TDA is set.</summary>
    MsrDbgbvr,
    /// <summary>A read of a debug register [MRS x0, DBGBVR0_EL1]; traps when MDCR_EL2.TDA is set.</summary>
    MrsDbgbvr,
    /// <summary>A read of MDSCR_EL1 [MRS x0, MDSCR_EL1]; traps when MDCR_EL2.TDA is set.</summary>
    MrsMdscr,
    /// <summary>A trapped conditional AArch32 instruction whose condition fails; KVM skips it
    /// (handle_trap_exceptions: kvm_condition_valid) [MRCNE p15].</summary>
    CondFailedA32,
    /// <summary>A GICv2 CPU-interface access proxied in hyp that fails: the instruction is skipped
    /// in hyp and the exit promoted to an SError (__vgic_v2_perform_cpuif_access) [LDR from GICC].</summary>
    GicV2CpuIfFault,
    /// <summary>A hypercall handled by KVM (for example PSCI_VERSION) [HVC #0].</summary>
    Hvc,
    /// <summary>A supervisor call taken by the guest's own EL1 [SVC #0].</summary>
    Svc,
    /// <summary>A software breakpoint instruction [BRK #0].</summary>
    Brk,
    /// <summary>Unmask SErrors: PSTATE.A := 0 [MSR DAIFClr, #4].</summary>
    UnmaskSError,
    /// <summary>Wait for interrupt: traps to KVM (kvm_handle_wfx) [WFI].</summary>
    Wfi,
    /// <summary>An exception return from the guest's handler [ERET].</summary>
    Eret,
    /// <summary>The guest's synchronous handler body, as the Linux selftest debug-exceptions.c installs
    /// it, by ESR_EL1.EC: BRK and aborts skip the instruction (ELR_EL1 += 4); a breakpoint or
    /// watchpoint sets SPSR_EL1.D so the instruction re-executes with debug exceptions masked; a
    /// software step sets SPSR_EL1.SS so exactly one more instruction runs; SVC returns as is [handler].</summary>
    HandlerSkipIfFault,
    /// <summary>A write of an immediate to a system register [MSR reg, #imm] (<see cref="Instruction.Reg"/>,
    /// <see cref="Instruction.Value"/>); traps by MDCR_EL2.TDA (debug registers) or TDOSA (OS Lock registers).</summary>
    MsrImm,
    /// <summary>A read of a system register into x0 [MRS x0, reg]; traps like <see cref="MsrImm"/>.</summary>
    MrsReg,
    /// <summary>Mask debug exceptions: PSTATE.D := 1 [MSR DAIFSet, #8].</summary>
    DaifSetD,
    /// <summary>Unmask debug exceptions: PSTATE.D := 0 [MSR DAIFClr, #8].</summary>
    DaifClrD,
    /// <summary>The guest's IRQ or SError handler body: acknowledges the interrupt [handler].</summary>
    HandlerAck,
}
