namespace Kvmspec.Spec.Trace;

/// <summary>One event of the observable trace: an input, an environment event, or an observation.</summary>
/// <remarks>Invariants read only events whose <see cref="Role"/> is not <see cref="EventRole.Internal"/>;
/// internal notes exist for lane diagrams. <see cref="Verb"/> is the event's name in the JSON Lines trace.</remarks>
public abstract record TraceEvent
{
    public abstract Lane Lane { get; }
    public abstract EventRole Role { get; }
    public abstract string Verb { get; }
    public abstract string Describe();
    public sealed override string ToString() => Describe();
}
