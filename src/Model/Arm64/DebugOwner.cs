namespace Kvmspec.Model.Arm64;

/// <summary>v6.14 vcpu->arch.debug_owner (arch/arm64/kvm/debug.c kvm_vcpu_load_debug, 2ca3f03bf524).</summary>
public enum DebugOwner
{
    /// <summary>The guest does not use debug: its debug-register accesses trap (TDA) so KVM can switch ownership lazily.</summary>
    VCPU_DEBUG_FREE,
    /// <summary>The guest uses debug (MDSCR_EL1.KDE or MDE, or a trapped debug-register write): its registers are in the hardware, TDA clear.</summary>
    VCPU_DEBUG_GUEST_OWNED,
    /// <summary>Userspace debugs the guest (guest_debug != 0) or the guest's OS Lock is set: the hardware runs with external_mdscr_el1, TDA set.</summary>
    VCPU_DEBUG_HOST_OWNED,
}
