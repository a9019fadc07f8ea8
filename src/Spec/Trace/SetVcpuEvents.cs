namespace Kvmspec.Spec.Trace;

/// <summary>Input: KVM_SET_VCPU_EVENTS with exception.serror_pending (a virtual SError becomes
/// pending for the guest) and/or exception.ext_dabt_pending, which makes KVM inject a
/// synchronous external data abort instead of completing the pending access. <see cref="Error"/> is
/// the ioctl's failure, when it failed (then it had no effect).</summary>
/// <remarks>api.rst "KVM_SET_VCPU_EVENTS" (arm64); da345174ceca "KVM: arm/arm64: Allow user injection of external data aborts".</remarks>
public sealed record SetVcpuEvents(bool ExtDabtPending, Kvm.Errno? Error = null, bool SErrorPending = false) : TraceEvent
{
    public override Lane Lane => Lane.Vmm;
    public override EventRole Role => EventRole.Input;
    public override string Verb => "set_vcpu_events";
    public override string Describe() =>
        $"KVM_SET_VCPU_EVENTS({(SErrorPending ? "serror_pending=1" : "")}{(SErrorPending && ExtDabtPending ? ", " : "")}{(ExtDabtPending || !SErrorPending ? $"ext_dabt_pending={(ExtDabtPending ? 1 : 0)}" : "")}){(Error is { } e ? $" = -{e}" : "")}";
}
