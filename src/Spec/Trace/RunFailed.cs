using Kvmspec.Spec.Kvm;

namespace Kvmspec.Spec.Trace;

/// <summary>Observation: KVM_RUN returned -1 with this errno (for example -ENOSYS for an access
/// KVM cannot decode).</summary>
public sealed record RunFailed(Errno Errno, ulong? Pc) : TraceEvent
{
    public override Lane Lane => Lane.Kvm;
    public override EventRole Role => EventRole.Observation;
    public override string Verb => "run_failed";
    public override string Describe() => $"KVM_RUN = -{Errno}{(Pc is { } pc ? $" pc=0x{pc:X}" : "")}";
}
