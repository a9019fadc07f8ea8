namespace Kvmspec.Spec.Kvm;

/// <summary>struct kvm_run.exit_reason values this model produces, with their UAPI numbers.</summary>
/// <remarks>include/uapi/linux/kvm.h; Documentation/virt/kvm/api.rst, "5. The kvm_run structure".</remarks>
public enum KvmExitReason : uint
{
    KVM_EXIT_UNKNOWN = 0,
    KVM_EXIT_IO = 2,
    KVM_EXIT_DEBUG = 4,
    KVM_EXIT_MMIO = 6,
    KVM_EXIT_INTR = 10,
    KVM_EXIT_ARM_NISV = 28,
}
