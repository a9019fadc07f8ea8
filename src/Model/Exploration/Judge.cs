using Kvmspec.Spec.Invariants;

namespace Kvmspec.Model.Exploration;

/// <summary>Judges a trace against every arm64 invariant.</summary>
public static class Judge
{
    public static IReadOnlyList<Verdict> All(Spec.Trace.Trace t) => Arm64Invariants.All.Select(i => i.Check(t)).ToList();

    public static IEnumerable<Violation> Violations(Spec.Trace.Trace t) => All(t).SelectMany(v => v.Violations);
}
