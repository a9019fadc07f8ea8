namespace Kvmspec.Spec.Trace;

/// <summary>Input: KVM_SET_VCPU_EVENTS with exception.ext_dabt_pending, which makes KVM inject a
/// synchronous external data abort instead of completing the pending access. <see cref="Error"/> is
/// the ioctl's failure, when it failed (then it had no effect).</summary>
/// <remarks>api.rst "KVM_SET_VCPU_EVENTS" (arm64); da345174ceca "KVM: arm/arm64: Allow user injection of external data aborts".</remarks>
public sealed record SetVcpuEvents(bool ExtDabtPending, Kvm.Errno? Error = null) : TraceEvent
{
    public override Lane Lane => Lane.Vmm;
    public override EventRole Role => EventRole.Input;
    public override string Verb => "set_vcpu_events";
    public override string Describe() => $"KVM_SET_VCPU_EVENTS(ext_dabt_pending={(ExtDabtPending ? 1 : 0)}){(Error is { } e ? $" = -{e}" : "")}";
}
