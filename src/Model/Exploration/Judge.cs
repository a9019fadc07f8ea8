using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Model.Exploration;

/// <summary>Judges a trace against every arm64 invariant.</summary>
public static class Judge
{
    public static IReadOnlyList<Verdict> All(Trace t) => TraceChecker.Check(t, Arm64Invariants.All);

    public static IEnumerable<Violation> Violations(Trace t) => All(t).SelectMany(v => v.Violations);

    /// <summary>The violations that belong to <paramref name="variantId"/>: in a trace that starts on an
    /// older release and migrates to this one, what happened on the source (events before the first
    /// migration from another release) is that release's behaviour, judged when that release is
    /// explored; everything from the migration on is this variant's.</summary>
    public static IEnumerable<Violation> ViolationsOf(string variantId, Trace t)
    {
        int from = 0;
        for (int i = 0; i < t.Events.Length; i++)
            if (EndsSourcePart(t.Events[i], variantId)) { from = i; break; }
        return Violations(t).Where(x => x.EventIndex >= from);
    }

    /// <summary>Whether <paramref name="e"/> is a migration from another release than <paramref name="variantId"/>:
    /// the first one ends the part of a trace that is the source's behaviour.</summary>
    public static bool EndsSourcePart(TraceEvent e, string variantId) => e is Migrate m && m.Source != variantId;

    /// <summary>The violations of <paramref name="v"/>'s part of the trace that it does not declare.</summary>
    public static IEnumerable<Violation> Undeclared(Arm64.Variant v, Trace t) =>
        ViolationsOf(v.Id, t).Where(x => !v.ExpectedViolations.Contains(x.Key));
}
