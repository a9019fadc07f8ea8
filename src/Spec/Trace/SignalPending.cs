namespace Kvmspec.Spec.Trace;

/// <summary>Environment: a signal becomes pending for the vCPU thread, so KVM_RUN returns
/// -EINTR (KVM_EXIT_INTR) at its next check.</summary>
public sealed record SignalPending : TraceEvent
{
    public override Lane Lane => Lane.Kvm;
    public override EventRole Role => EventRole.Environment;
    public override string Verb => "signal";
    public override string Describe() => "signal pending for the vCPU thread";
}
