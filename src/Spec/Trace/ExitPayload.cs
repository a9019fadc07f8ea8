using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;

namespace Kvmspec.Spec.Trace;

/// <summary>The exit-reason-specific part of struct kvm_run after KVM_RUN returns.</summary>
public abstract record ExitPayload
{
    public abstract string Describe();
}

/// <summary>KVM_EXIT_DEBUG: struct kvm_debug_exit_arch and kvm_run.flags.</summary>
public sealed record DebugPayload(kvm_debug_exit_arch Arch, uint Flags) : ExitPayload
{
    /// <summary>The full syndrome: hsr, plus hsr_high when KVM_DEBUG_ARCH_HSR_HIGH_VALID is set.</summary>
    public ESR_ELx Esr => ESR_ELx.Decode(Arch.hsr | ((Flags & kvm_debug_exit_arch.KVM_DEBUG_ARCH_HSR_HIGH_VALID) != 0 ? (ulong)Arch.hsr_high << 32 : 0));
    public override string Describe() => $"hsr=0x{Arch.hsr:X8} {Esr}";
}

/// <summary>KVM_EXIT_MMIO: kvm_run.mmio.</summary>
public sealed record MmioPayload(ulong PhysAddr, int Len, bool IsWrite, ulong Data) : ExitPayload
{
    public override string Describe() => $"phys_addr=0x{PhysAddr:X} len={Len} {(IsWrite ? $"write data=0x{Data:X}" : "read")}";
}

/// <summary>KVM_EXIT_ARM_NISV: kvm_run.arm_nisv.</summary>
public sealed record NisvPayload(ulong EsrIss, ulong FaultIpa) : ExitPayload
{
    public override string Describe() => $"esr_iss=0x{EsrIss:X} fault_ipa=0x{FaultIpa:X}";
}
