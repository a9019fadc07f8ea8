using System.Collections.Immutable;
using Kvmspec.Spec.Arm64;

namespace Kvmspec.Spec.Trace;

/// <summary>An observable trace: the header (architecture, profile, producer, guest program,
/// initial PC and, when known, the initial PSTATE in SPSR format) and the events in order.</summary>
public sealed record Trace(string Arch, string Profile, string Producer, GuestProgram Program, ulong InitialPc, ImmutableArray<TraceEvent> Events, ulong? InitialPstate = null)
{
    /// <summary>The profile of a trace that records every observation kind (retirements, exits,
    /// exceptions, register reads): an absent event then means it did not happen.</summary>
    public const string FullProfile = "full";

    /// <summary>Whether an absent observation means it did not happen (true for the full profile).</summary>
    public bool HasFullObservations => Profile == FullProfile;

    /// <summary>The events invariants read, with their index in <see cref="Events"/>.</summary>
    public IEnumerable<(int Index, TraceEvent Event)> Observable() =>
        Events.Select((e, i) => (i, e)).Where(p => p.e.Role != EventRole.Internal);
}
