using Kvmspec.Model.Arm64;
using Kvmspec.Model.X86;

namespace Kvmspec.Model.Exploration.Exhaustive;

/// <summary>What the exhaustive part of a check saw for one variant: the search's figures and its
/// BFS-minimal counterexample for every key violated within the bound.</summary>
public sealed record ExhaustiveReport(BfsResult Search, int ProgramLength, int Programs, IReadOnlyDictionary<string, ICounterexample> Found, IReadOnlyList<string> Unhandled);

/// <summary>Runs <see cref="Bfs"/> over a variant's composed vCPU and turns each finding's path into
/// a script, replayed through the simulator to give its trace.</summary>
public static class ExhaustiveExplorer
{
    public static ExhaustiveReport Explore(IVariant v, int programLength, Bound bound) => v switch
    {
        Variant a => Explore(a, programLength, bound),
        X86Variant x => Explore(x, programLength, bound),
        _ => throw new InvalidOperationException($"no exhaustive explorer for {v.Id}"),
    };

    public static ExhaustiveReport Explore(Variant v, int programLength, Bound bound) =>
        Search(Arm64Space.For(v, programLength), bound, programLength, (space, path, key) =>
        {
            var script = Arm64Space.ScriptOf(space, path);
            var trace = Simulator.Execute(v, script).Trace;
            return Judge.ViolationsOf(v.Id, trace).FirstOrDefault(x => x.Key == key) is { } viol ? new Counterexample(script, trace, viol)
                : throw new InvalidOperationException($"{v.Id}: the BFS path for {key} does not replay ({script})");
        });

    public static ExhaustiveReport Explore(X86Variant v, int programLength, Bound bound) =>
        Search(X86Space.For(v, programLength), bound, programLength, (space, path, key) =>
        {
            var script = X86Space.ScriptOf(space, path);
            var trace = X86Simulator.Execute(v, script).Trace;
            return X86Explorer.Violations(trace).FirstOrDefault(x => x.Key == key) is { } viol ? new X86Counterexample(script, trace, viol)
                : throw new InvalidOperationException($"{v.Label}: the BFS path for {key} does not replay ({script})");
        });

    /// <summary>Searches <paramref name="space"/> and replays each finding's path as a script
    /// (<paramref name="replay"/>); model findings (unhandled pairs) are listed apart.</summary>
    private static ExhaustiveReport Search<C>(ModelSpace<C> space, Bound bound, int programLength, Func<ModelSpace<C>, Path, string, ICounterexample> replay)
    {
        var r = Bfs.Run(space, bound);
        var found = new SortedDictionary<string, ICounterexample>(StringComparer.Ordinal);
        var unhandled = new List<string>();
        foreach (var (key, f) in r.Findings)
        {
            if (f.Violation.Invariant == ModelSpace<C>.Unhandled) unhandled.Add(f.Violation.Message);
            else found[key] = replay(space, f.Path, key);
        }
        return new ExhaustiveReport(r, programLength, space.Initial.Count, found, unhandled);
    }
}
