using System.Collections.Immutable;
using Kvmspec.Spec.Arm64;

namespace Kvmspec.Spec.Trace;

/// <summary>An observable trace: the header (architecture, profile, producer, guest program,
/// initial PC) and the events in order.</summary>
public sealed record Trace(string Arch, string Profile, string Producer, GuestProgram Program, ulong InitialPc, ImmutableArray<TraceEvent> Events)
{
    /// <summary>The events invariants read, with their index in <see cref="Events"/>.</summary>
    public IEnumerable<(int Index, TraceEvent Event)> Observable() =>
        Events.Select((e, i) => (i, e)).Where(p => p.e.Role != EventRole.Internal);
}
