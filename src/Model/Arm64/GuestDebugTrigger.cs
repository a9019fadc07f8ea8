namespace Kvmspec.Model.Arm64;

/// <summary>GuestDebug's triggers, named after the kernel paths that fire them.</summary>
public enum GuestDebugTrigger
{
    /// <summary>kvm_arch_vcpu_ioctl_set_guest_debug().</summary>
    KVM_SET_GUEST_DEBUG,
    /// <summary>vcpu_load() → kvm_vcpu_load_debug() (v6.14+).</summary>
    vcpu_load,
    /// <summary>vcpu_put() → kvm_vcpu_put_debug() (v6.14+).</summary>
    vcpu_put,
    /// <summary>kvm_arm_setup_debug(), before every guest entry (v4.2-v6.13).</summary>
    setup_debug,
    /// <summary>kvm_arm_clear_debug(), after every guest exit (v4.2-v6.13).</summary>
    clear_debug,
    /// <summary>kvm_handle_guest_debug() for a software-step exit.</summary>
    handle_step,
}
