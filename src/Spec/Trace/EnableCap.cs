using Kvmspec.Spec.Kvm;

namespace Kvmspec.Spec.Trace;

/// <summary>Input: the VMM enables a capability with KVM_ENABLE_CAP; <see cref="Error"/> is the
/// ioctl's failure, when it failed.</summary>
public sealed record EnableCap(KvmCap Cap, Errno? Error = null) : TraceEvent
{
    public override Lane Lane => Lane.Vmm;
    public override EventRole Role => EventRole.Input;
    public override string Verb => "enable_cap";
    public override string Describe() => $"KVM_ENABLE_CAP({Cap}){(Error is { } e ? $" = -{e}" : "")}";
}
