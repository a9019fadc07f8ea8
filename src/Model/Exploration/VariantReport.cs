using Kvmspec.Model.Arm64;

namespace Kvmspec.Model.Exploration;

/// <summary>What exploring one variant found: each violated key with its minimal counterexample,
/// the model findings (unhandled pairs), and how much was explored.</summary>
public sealed record VariantReport(
    IVariant Variant,
    IReadOnlyDictionary<string, ICounterexample> Found,
    IReadOnlyList<string> Unhandled,
    int Traces,
    long Events,
    TimeSpan Elapsed)
{
    /// <summary>The exhaustive search's figures, when the check ran one.</summary>
    public Exhaustive.ExhaustiveReport? Exhaustive { get; init; }

    /// <summary>Keys whose counterexample is the BFS-minimal one (the rest come from random traces, shrunk).</summary>
    public IEnumerable<string> FoundExhaustively => Exhaustive?.Found.Keys.Where(Found.ContainsKey) ?? [];

    public IEnumerable<string> Missing => Variant.ExpectedViolations.Where(k => !Found.ContainsKey(k));
    public IEnumerable<string> Unexpected => Found.Keys.Where(k => !Variant.ExpectedViolations.Contains(k));
    public bool AsDeclared => !Missing.Any() && !Unexpected.Any() && Unhandled.Count == 0;
}
