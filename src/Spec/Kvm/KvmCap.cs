namespace Kvmspec.Spec.Kvm;

/// <summary>KVM_ENABLE_CAP capabilities this model knows, with their UAPI numbers.</summary>
/// <remarks>include/uapi/linux/kvm.h; api.rst "KVM_CAP_ARM_NISV_TO_USER" (v5.5, Christoffer Dall)
/// and "KVM_CAP_ARM_INJECT_EXT_DABT" (da345174ceca, v5.5).</remarks>
public enum KvmCap : uint
{
    KVM_CAP_ARM_NISV_TO_USER = 177,
    KVM_CAP_ARM_INJECT_EXT_DABT = 178,
}
