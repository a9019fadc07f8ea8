namespace Kvmspec.Spec.Kvm;

/// <summary>The control word of KVM_SET_GUEST_DEBUG (struct kvm_guest_debug.control) on arm64.</summary>
/// <remarks>Documentation/virt/kvm/api.rst, "4.87 KVM_SET_GUEST_DEBUG"; include/uapi/linux/kvm.h
/// (generic bits) and arch/arm64/include/uapi/asm/kvm.h (architecture bits in the top 16 bits).
/// KVM_CAP_SET_GUEST_DEBUG2 reports ENABLE | SINGLESTEP | USE_SW_BP | USE_HW as the arm64 mask.</remarks>
[Flags]
public enum KvmGuestDebug : uint
{
    None = 0,
    KVM_GUESTDBG_ENABLE = 1u << 0,
    KVM_GUESTDBG_SINGLESTEP = 1u << 1,
    KVM_GUESTDBG_USE_SW_BP = 1u << 16,
    KVM_GUESTDBG_USE_HW = 1u << 17,
}
