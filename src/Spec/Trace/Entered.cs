namespace Kvmspec.Spec.Trace;

/// <summary>Observation: KVM entered the guest at <see cref="Pc"/> (the world switch's ERET; the
/// kernel's kvm_entry tracepoint).</summary>
public sealed record Entered(ulong Pc) : TraceEvent
{
    public override Lane Lane => Lane.Kvm;
    public override EventRole Role => EventRole.Observation;
    public override string Verb => "entered";
    public override string Describe() => $"guest entry at 0x{Pc:X}";
}
