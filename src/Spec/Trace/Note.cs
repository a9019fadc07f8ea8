namespace Kvmspec.Spec.Trace;

/// <summary>Internal: what the model did inside KVM or the CPU, for lane diagrams. No invariant reads it.</summary>
public sealed record Note(Lane At, string Text) : TraceEvent
{
    public override Lane Lane => At;
    public override EventRole Role => EventRole.Internal;
    public override string Verb => "note";
    public override string Describe() => Text;
}
