namespace Kvmspec.Model.Arm64;

/// <summary>TrapEmulation's control states: where a trapped instruction is in its life between
/// the trap and its retirement or abort.</summary>
/// <remarks>The non-architectural iflags PENDING_EXCEPTION / INCREMENT_PC / EXCEPT_MASK of
/// arch/arm64/include/asm/kvm_host.h (v5.11+) and vcpu->mmio_needed are this state.</remarks>
public enum TrapState
{
    /// <summary>Nothing in flight.</summary>
    Idle,
    /// <summary>KVM_EXIT_MMIO returned; the access completes on the next KVM_RUN (mmio_needed).</summary>
    AwaitingMmio,
    /// <summary>KVM_EXIT_ARM_NISV returned; the VMM must emulate the access or inject an abort.</summary>
    AwaitingNisv,
    /// <summary>kvm_incr_pc() set INCREMENT_PC: __kvm_adjust_pc() will skip the instruction.</summary>
    IncrementPending,
    /// <summary>kvm_pend_exception() set PENDING_EXCEPTION with EXCEPT_AA64_EL1_SYNC: __kvm_adjust_pc() will inject.</summary>
    ExceptionPending,
    /// <summary>INCREMENT_PC was set on top of a pending EL1_SYNC exception; the shared bit turned
    /// EXCEPT_MASK into EXCEPT_AA64_EL1_IRQ, which kvm_inject_exception() ignores (v5.11-v6.12).</summary>
    ExceptionCorrupted,
}
