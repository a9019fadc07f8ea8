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
    public ulong DBGBVR0_EL1 { get; init; }

    // Hardware configuration while the guest runs.
    public MDSCR_EL1 HwMDSCR_EL1 { get; init; }
    public MDCR_EL2 MDCR_EL2 { get; init; } = new(TDE: false, TDA: true);
    /// <summary>Whether the CPU completed an instruction in active-not-pending since it last entered
    /// the guest or took an exception: the software-step syndrome's ISV.</summary>
    public bool SteppedSinceEntry { get; init; }

    // KVM's per-vCPU state (kernel names).
    public KvmGuestDebug guest_debug { get; init; }
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

    /// <summary>A finding: a (state, trigger) pair no row handled. Null while the model is total.</summary>
    public string? Unhandled { get; init; }
}
