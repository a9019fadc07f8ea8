namespace Kvmspec.Model.Arm64;

/// <summary>GuestDebug's control states: what the VMM asked for with KVM_SET_GUEST_DEBUG.</summary>
public enum HostDebugState
{
    /// <summary>vcpu->guest_debug == 0.</summary>
    Off,
    /// <summary>KVM_GUESTDBG_ENABLE without SINGLESTEP (breakpoints only).</summary>
    Enabled,
    /// <summary>KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP.</summary>
    SingleStep,
}
