using Kvmspec.Model.Machines;
using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;

namespace Kvmspec.Model.Arm64;

/// <summary>The composed arm64 vCPU: the three machines' control states plus the data they share.</summary>
/// <remarks>
/// Guest context: what KVM holds in the vcpu context when the guest is not running (PSTATE is the
/// saved SPSR_EL2 image, PC the saved ELR_EL2); while the guest runs, the same fields are the live
/// CPU state. <see cref="MDSCR_EL1"/> is the guest's own context copy; <see cref="HwMDSCR_EL1"/> is
/// what the hardware uses while the guest runs (KVM's host-forced bits, or external_mdscr_el1 in
/// v6.14). KVM fields keep the kernel's names. SIMPLIFICATION: one vCPU, guest at EL1 only, one
/// general-purpose register (x0) as the MMIO/sysreg transfer register.
/// </remarks>
public sealed record Vcpu
{
    // Control states of the declared machines.
    public RunState Run { get; init; } = RunState.InVmm;
    public TrapState Trap { get; init; } = TrapState.Idle;
    public HostDebugState Debug { get; init; } = HostDebugState.Off;

    // Guest architectural context.
    public ulong PC { get; init; } = GuestProgram.Base;
    public PSTATE PSTATE { get; init; } = new(SS: false, D: false, A: false, I: false, EL: ExceptionLevel.EL1);
    public MDSCR_EL1 MDSCR_EL1 { get; init; }
    public PSTATE SPSR_EL1 { get; init; }
    public ulong ELR_EL1 { get; init; }
    public ESR_ELx ESR_EL1 { get; init; }
    public ulong X0 { get; init; }
    public ulong FAR_EL1 { get; init; }
    public ulong CONTEXTIDR_EL1 { get; init; }
    /// <summary>The guest's breakpoint (0: address, 1: context ID) and watchpoint registers, context copies.</summary>
    public DebugRegisters Dbg { get; init; } = DebugRegisters.Reset;
    /// <summary>The OS Lock status as KVM stores it (v5.18+ sys_regs.c; before that a constant).</summary>
    public OSLSR_EL1 OSLSR_EL1 { get; init; } = OSLSR_EL1.KvmReset;
    /// <summary>The 8-byte RAM variable the guest's loads and stores use (the selftest's write_data).</summary>
    public ulong Ram { get; init; }

    // Hardware configuration while the guest runs.
    public MDSCR_EL1 HwMDSCR_EL1 { get; init; }
    public MDCR_EL2 MDCR_EL2 { get; init; } = new(TDE: false, TDA: true);
    /// <summary>The hardware OS Lock while the guest runs: KVM never sets it (the lock is emulated),
    /// except in the rejected design that switches the guest's lock into the hardware.</summary>
    public bool HwOSLK { get; init; }
    /// <summary>Whether the CPU completed an instruction in active-not-pending since it last entered
    /// the guest or took an exception: the software-step syndrome's ISV.</summary>
    public bool SteppedSinceEntry { get; init; }

    // KVM's per-vCPU state (kernel names).
    public KvmGuestDebug guest_debug { get; init; }
    /// <summary>The VMM's hardware breakpoint (kvm_guest_debug_arch dbg_bvr[0]) with KVM_GUESTDBG_USE_HW.</summary>
    public ulong? external_bvr0 { get; init; }
    /// <summary>v6.14 vcpu->arch.debug_owner, computed at vcpu_load.</summary>
    public DebugOwner debug_owner { get; init; } = DebugOwner.VCPU_DEBUG_FREE;
    public bool DBG_SS_ACTIVE_PENDING { get; init; }
    public bool HOST_SS_ACTIVE_PENDING { get; init; }
    public bool GUEST_SS_ACTIVE_PENDING { get; init; }
    /// <summary>v6.1-v6.13 guest_debug_preserved.pstate_ss, saved by kvm_arm_setup_debug().</summary>
    public bool preserved_pstate_ss { get; init; }
    /// <summary>The 2017 proposal's KVM_ARM64_DEBUG_INST_SKIP flag.</summary>
    public bool DEBUG_INST_SKIP { get; init; }
    public bool DEBUG_DIRTY { get; init; }
    public bool mmio_needed { get; init; }
    public KvmExitReason exit_reason { get; init; } = KvmExitReason.KVM_EXIT_UNKNOWN;
    public ulong mmio_data { get; init; }
    /// <summary>The access io_mem_abort() decoded, with the PC of its instruction.</summary>
    public ExitCause? Mmio { get; init; }
    public bool return_nisv_io_abort_to_user { get; init; }
    public ExitCause? Cause { get; init; }
    /// <summary>What KVM_RUN will report when it returns to userspace (set by the exit handler).</summary>
    public PendingReturn? Return { get; init; }

    // Environment.
    public bool GuestIrqPending { get; init; }
    public bool VSErrorPending { get; init; }
    public bool HostIrqPending { get; init; }
    public bool SignalPending { get; init; }
    /// <summary>Body instructions whose RAM page is mapped at stage 2 (bit i = instruction i).</summary>
    public ulong MappedPages { get; init; }

    /// <summary>The guest's own value of a system register (the vcpu context copy KVM's emulation uses).</summary>
    public ulong ReadSys(SysReg r) => r switch
    {
        SysReg.MDSCR_EL1 => MDSCR_EL1.Encode(),
        SysReg.OSLSR_EL1 => OSLSR_EL1.Encode(),
        SysReg.CONTEXTIDR_EL1 => CONTEXTIDR_EL1,
        SysReg.SPSR_EL1 => SPSR_EL1.Encode(),
        SysReg.DAIF => PSTATE.Encode() & 0x3C0,
        _ => Dbg.Read(r) ?? 0, // OSLAR_EL1 is write-only, OSDLR_EL1 reads as zero under KVM
    };

    /// <summary>The guest context with <paramref name="r"/> written (the vcpu context copy).</summary>
    public Vcpu WriteSys(SysReg r, ulong v) => r switch
    {
        SysReg.MDSCR_EL1 => this with { MDSCR_EL1 = MDSCR_EL1.Decode(v) },
        SysReg.CONTEXTIDR_EL1 => this with { CONTEXTIDR_EL1 = v },
        SysReg.SPSR_EL1 => this with { SPSR_EL1 = PSTATE.Decode(v) ?? SPSR_EL1 },
        _ => this with { Dbg = Dbg.With(r, v) },
    };

    /// <summary>A register as KVM_GET_ONE_REG reads it from the context.</summary>
    public ulong ReadOne(OneReg r) => r switch
    {
        OneReg.PC => PC,
        OneReg.PSTATE => PSTATE.Encode(),
        OneReg.X0 => X0,
        OneReg.ELR_EL1 => ELR_EL1,
        OneReg.SPSR_EL1 => SPSR_EL1.Encode(),
        OneReg.ESR_EL1 => ESR_EL1.Encode(),
        OneReg.FAR_EL1 => FAR_EL1,
        _ => r.AsSysReg() is { } sr ? ReadSys(sr) : 0,
    };

    /// <summary>The context with a register written as KVM_SET_ONE_REG writes it (no validation here).</summary>
    public Vcpu WriteOne(OneReg r, ulong v) => r switch
    {
        OneReg.PC => this with { PC = v },
        OneReg.PSTATE => this with { PSTATE = PSTATE.Decode(v) ?? PSTATE },
        OneReg.X0 => this with { X0 = v },
        OneReg.ELR_EL1 => this with { ELR_EL1 = v },
        OneReg.SPSR_EL1 => this with { SPSR_EL1 = PSTATE.Decode(v) ?? SPSR_EL1 },
        OneReg.ESR_EL1 => this with { ESR_EL1 = ESR_ELx.Decode(v) },
        OneReg.FAR_EL1 => this with { FAR_EL1 = v },
        OneReg.OSLSR_EL1 => this with { OSLSR_EL1 = Spec.Arm64.OSLSR_EL1.Decode(v) },
        _ => r.AsSysReg() is { } sr ? WriteSys(sr, v) : this,
    };

    /// <summary>A finding: a (state, trigger) pair no row handled. Null while the model is total.</summary>
    public string? Unhandled { get; init; }
}
