using Kvmspec.Spec.Arm64;

namespace Kvmspec.Spec.Trace;

/// <summary>The first line of a trace: the architecture, the profile (which observations the
/// producer records), who produced it, and what the invariants need to know before the first event.</summary>
/// <remarks>
/// <c>Program</c>: The guest program in the model's instruction kinds, when the producer knows it (a replay needs it; invariants use it only to tell instruction kinds at a PC).
/// <c>GuestSelfDebug</c>: Step-log profile: whether the guest debugs itself (sets its own step bit); null when unknown, which leaves NO-LEAK not checkable on a step log.
/// </remarks>
public sealed record TraceHeader(
    string Arch,
    string Profile,
    string Producer,
    GuestProgram? Program,
    ulong InitialPc,
    ulong? InitialPstate = null,
    bool? GuestSelfDebug = null)
{
    /// <summary>Whether an absent observation means it did not happen.</summary>
    public bool HasFullObservations => Profile == Trace.FullProfile;
}
