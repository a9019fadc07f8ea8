using Kvmspec.Model.Arm64;
using Kvmspec.Model.Exploration;
using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Model.Scenarios;

/// <summary>Runs a scenario against a variant: the simulator turns its program and steps into a
/// trace, every invariant judges the trace, and each <c>expect</c> entry is checked.</summary>
/// <remarks>A run passes when every expectation holds, the model handled every input, and every
/// violation is declared by the variant or expected by a <c>violation</c> entry.</remarks>
public static class ScenarioRunner
{
    public static ScenarioResult Run(Scenario s, Variant v)
    {
        var r = Simulator.Execute(v, s.Script);
        var verdicts = TraceChecker.Check(r.Trace, Arm64Invariants.All);
        var expectedKeys = s.Expect.OfType<ViolationExpected>().Select(x => x.Key).ToHashSet();
        var undeclared = verdicts.SelectMany(x => x.Violations)
            .Where(x => !v.ExpectedViolations.Contains(x.Key) && !expectedKeys.Contains(x.Key) && !expectedKeys.Contains(x.Invariant))
            .ToList();
        var checks = s.Expect.Select(e => (e, e.Failure(r.Trace, verdicts))).ToList();
        return new ScenarioResult(s, v, r.Trace, verdicts, checks, undeclared, r.Unhandled);
    }
}

/// <summary>What one scenario run showed.</summary>
public sealed record ScenarioResult(
    Scenario Scenario,
    Variant Variant,
    Trace Trace,
    IReadOnlyList<Verdict> Verdicts,
    IReadOnlyList<(Expectation Expectation, string? Failure)> Checks,
    IReadOnlyList<Violation> Undeclared,
    string? Unhandled)
{
    public bool Passed => Unhandled is null && Undeclared.Count == 0 && Checks.All(c => c.Failure is null);

    /// <summary>Every reason the run failed, one per line.</summary>
    public IEnumerable<string> Failures =>
        (Unhandled is { } u ? [$"the model could not handle an input: {u}"] : Array.Empty<string>())
        .Concat(Checks.Where(c => c.Failure is not null).Select(c => $"{Scenario.File}:{c.Expectation.Line}: expect {c.Expectation.Describe()}: {c.Failure}"))
        .Concat(Undeclared.Select(x => $"undeclared violation {x.Key} at event {x.EventIndex}: {x.Message}"));
}
