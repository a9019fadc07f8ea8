using System.Collections.Immutable;
using Kvmspec.Spec.Arm64;

namespace Kvmspec.Spec.Trace;

/// <summary>An observable trace: the header (architecture, profile, producer, guest program,
/// initial PC and, when known, the initial PSTATE in SPSR format) and the events in order.</summary>
public sealed record Trace(string Arch, string Profile, string Producer, GuestProgram Program, ulong InitialPc, ImmutableArray<TraceEvent> Events, ulong? InitialPstate = null, bool? GuestSelfDebug = null)
{
    /// <summary>The profile of a trace that records every observation kind (retirements, exits,
    /// exceptions, register reads): an absent event then means it did not happen.</summary>
    public const string FullProfile = "full";

    /// <summary>The profile of a debugger's step log: one <c>step</c> record per host step (see
    /// docs/trace-format.md); most invariants are not checkable on it.</summary>
    public const string StepLogProfile = "step-log";

    /// <summary>The profiles a trace may declare.</summary>
    public static readonly IReadOnlyList<string> Profiles = [FullProfile, StepLogProfile];

    /// <summary>The header line of this trace.</summary>
    public TraceHeader Header => new(Arch, Profile, Producer, Program.Body.IsEmpty ? null : Program, InitialPc, InitialPstate, GuestSelfDebug);

    /// <summary>Whether an absent observation means it did not happen (true for the full profile).</summary>
    public bool HasFullObservations => Profile == FullProfile;

    /// <summary>A trace from its header and events (a header without a program gets an empty one).</summary>
    public static Trace Of(TraceHeader h, IEnumerable<TraceEvent> events) =>
        new(h.Arch, h.Profile, h.Producer, h.Program ?? GuestProgram.Of(), h.InitialPc, [.. events], h.InitialPstate, h.GuestSelfDebug);

    /// <summary>The events invariants read, with their index in <see cref="Events"/>.</summary>
    public IEnumerable<(int Index, TraceEvent Event)> Observable() =>
        Events.Select((e, i) => (i, e)).Where(p => p.e.Role != EventRole.Internal);
}
