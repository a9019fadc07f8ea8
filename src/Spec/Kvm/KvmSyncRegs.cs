namespace Kvmspec.Spec.Kvm;

/// <summary>The bits of kvm_run->kvm_valid_regs and kvm_run->kvm_dirty_regs on x86
/// (KVM_CAP_SYNC_REGS): which parts of the shared kvm_run->s.regs area KVM copies out at exit
/// (valid) and copies in at the next KVM_RUN (dirty).</summary>
/// <remarks>arch/x86/include/uapi/asm/kvm.h (KVM_SYNC_X86_REGS, _SREGS, _EVENTS,
/// KVM_SYNC_X86_VALID_FIELDS); api.rst "kvm_valid_regs / kvm_dirty_regs / s.regs" (section 5, the
/// kvm_run structure). Any other bit (the selftest uses 0x80000000) makes KVM_RUN fail with
/// -EINVAL.</remarks>
[Flags]
public enum KvmSyncRegs : uint
{
    None = 0,
    KVM_SYNC_X86_REGS = 1u << 0,
    KVM_SYNC_X86_SREGS = 1u << 1,
    KVM_SYNC_X86_EVENTS = 1u << 2,
    /// <summary>Every bit KVM accepts (kvm_sync_valid_fields() for a VM without protected state).</summary>
    KVM_SYNC_X86_VALID_FIELDS = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS | KVM_SYNC_X86_EVENTS,
}
