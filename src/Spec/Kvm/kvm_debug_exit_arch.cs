namespace Kvmspec.Spec.Kvm;

/// <summary>The arm64 payload of KVM_EXIT_DEBUG: struct kvm_debug_exit_arch.</summary>
/// <remarks>arch/arm64/include/uapi/asm/kvm.h; api.rst "KVM_EXIT_DEBUG": hsr is ESR_EL2[31:0],
/// hsr_high is ESR_EL2[63:32] and is valid only with KVM_DEBUG_ARCH_HSR_HIGH_VALID in kvm_run.flags
/// (Alexandru Elisei, ~v5.19); far is FAR_EL2, set for watchpoints.</remarks>
public readonly record struct kvm_debug_exit_arch(uint hsr, uint hsr_high, ulong far)
{
    public const uint KVM_DEBUG_ARCH_HSR_HIGH_VALID = 1u << 0;
}
