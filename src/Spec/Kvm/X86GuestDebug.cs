namespace Kvmspec.Spec.Kvm;

/// <summary>The control word of KVM_SET_GUEST_DEBUG on x86 (struct kvm_guest_debug.control).</summary>
/// <remarks>include/uapi/linux/kvm.h (ENABLE, SINGLESTEP) and arch/x86/include/uapi/asm/kvm.h
/// (USE_SW_BP 0x10000, USE_HW_BP 0x20000, INJECT_DB 0x40000, INJECT_BP 0x80000, BLOCKIRQ 0x100000,
/// v5.15 61e5f69ef083); api.rst "4.87 KVM_SET_GUEST_DEBUG".</remarks>
[Flags]
public enum X86GuestDebug : uint
{
    None = 0,
    KVM_GUESTDBG_ENABLE = 1u << 0,
    KVM_GUESTDBG_SINGLESTEP = 1u << 1,
    KVM_GUESTDBG_USE_SW_BP = 1u << 16,
    KVM_GUESTDBG_USE_HW_BP = 1u << 17,
    KVM_GUESTDBG_INJECT_DB = 1u << 18,
    KVM_GUESTDBG_INJECT_BP = 1u << 19,
    KVM_GUESTDBG_BLOCKIRQ = 1u << 20,
}
