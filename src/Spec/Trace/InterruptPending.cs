namespace Kvmspec.Spec.Trace;

/// <summary>Environment: an interrupt becomes pending, for the guest (virtual IRQ) or for the
/// host (a physical IRQ that forces an exit from the guest).</summary>
public sealed record InterruptPending(IrqTarget Target) : TraceEvent
{
    public override Lane Lane => Lane.Cpu;
    public override EventRole Role => EventRole.Environment;
    public override string Verb => "irq_pending";
    public override string Describe() => Target == IrqTarget.Guest ? "virtual IRQ pending for the guest" : "host IRQ pending";
}
