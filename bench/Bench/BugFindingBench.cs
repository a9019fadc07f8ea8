using System.Diagnostics;
using System.Globalization;
using Kvmspec.Model.Arm64;
using Kvmspec.Model.Exploration;
using Kvmspec.Model.Exploration.Exhaustive;
using Kvmspec.Model.X86;

namespace Kvmspec.Bench;

/// <summary>Bug-finding power (issue 5 item 4): over many seeds, how many random traces the probe of
/// <c>check</c> needs to find each declared violation key of each variant, and how long the shrunk
/// counterexample is next to the BFS minimum. See bench/README.md "Bug-finding power".</summary>
public static class BugFindingBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The options of the <c>bugfinding</c> mode.</summary>
    public sealed record Options(int Seeds, ulong FirstSeed, string Arch, string? Variant, int Within, int Cap, int Size,
        int ShrinkSeeds, int BfsLength, int BfsDepth, int BfsMaxStates, bool Bfs, int Threads, bool Show = false)
    {
        /// <summary>100 seeds from 1, found within 100 traces, cap 1000, scripts of up to 24 actions
        /// (check's default), every seed shrunk, BFS over programs of 1 instruction to depth 4 (check's default bound).</summary>
        public static readonly Options Default = new(100, 1, "all", null, 100, 1000, 24, int.MaxValue, 1, 4, 200_000, true, Environment.ProcessorCount);

        /// <summary>Parses <c>--seeds N --first-seed S --arch arm64|x86|all --variant ID --within N --cap N --size N
        /// --shrink-seeds N --bfs-length L --bfs-depth D --bfs-max-states N --no-bfs --threads N --show</c> (<c>--show</c>: for every key
        /// that misses the shrink target, the longest shrunk script next to the BFS one).</summary>
        public static Options Parse(IReadOnlyList<string> args)
        {
            var o = Default;
            for (int i = 0; i < args.Count; i++)
            {
                string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                int Int() => int.Parse(Value(), Inv) is var n && n > 0 ? n : throw new ArgumentException($"{args[i - 1]} must be positive");
                o = args[i] switch
                {
                    "--seeds" => o with { Seeds = Int() },
                    "--first-seed" => o with { FirstSeed = ulong.Parse(Value(), Inv) },
                    "--arch" => Value() is "arm64" or "x86" or "all" ? o with { Arch = args[i] } : throw new ArgumentException("--arch: arm64 | x86 | all"),
                    "--variant" => o with { Variant = Value() },
                    "--within" => o with { Within = Int() },
                    "--cap" => o with { Cap = Int() },
                    "--size" => o with { Size = Int() },
                    "--shrink-seeds" => o with { ShrinkSeeds = Int() },
                    "--bfs-length" => o with { BfsLength = Int() },
                    "--bfs-depth" => o with { BfsDepth = Int() },
                    "--bfs-max-states" => o with { BfsMaxStates = Int() },
                    "--no-bfs" => o with { Bfs = false },
                    "--threads" => o with { Threads = Int() },
                    "--show" => o with { Show = true },
                    var a => throw new ArgumentException($"unknown option {a}"),
                };
            }
            if (o.Cap < o.Within) throw new ArgumentException("--cap must be at least --within");
            return o;
        }
    }

    /// <summary>The BFS-minimal counterexample of one key: actions, instructions, and whether the search was cut by the state cap.</summary>
    public sealed record BfsMin(int Actions, int Program, string Script);

    /// <summary>What the BFS found for one variant within the bound.</summary>
    public sealed record BfsFacts(IReadOnlyDictionary<string, BfsMin> Found, bool Truncated, int DepthReached, long States, double Seconds, bool Cached);

    /// <summary>One declared key's figures over all seeds.</summary>
    public sealed record KeyRow(string Key, bool Corpus, int Seeds, int FoundWithin, int?[] Traces, int[] ShrunkActions, int[] ShrunkPrograms, BfsMin? Bfs, bool FindOk, bool? ShrinkOk, string? Longest);

    /// <summary>Runs the mode: a table per variant and the summary; exit 0 when both targets are met.</summary>
    public static int Run(Options o, TextWriter w)
    {
        var variants = Variants(o);
        if (variants.Count == 0) throw new ArgumentException($"unknown variant {o.Variant}");
        var total = Stopwatch.StartNew();
        w.WriteLine($"bug-finding power: {o.Seeds} seeds ({o.FirstSeed}..{o.FirstSeed + (ulong)o.Seeds - 1}), scripts of up to {o.Size} actions, "
            + $"target: found within {o.Within} traces for >= 95% of seeds, cap {o.Cap}; shrunk <= BFS minimum + 1 "
            + (o.Bfs ? $"(BFS: programs of 1..{o.BfsLength} instruction(s), depth {o.BfsDepth}, at most {o.BfsMaxStates:N0} states)" : "(no BFS)"));
        var rows = new List<(IVariant V, KeyRow R)>();
        foreach (var v in variants)
        {
            var sw = Stopwatch.StartNew();
            var runs = new SeedRun[o.Seeds];
            Parallel.For(0, o.Seeds, new ParallelOptions { MaxDegreeOfParallelism = o.Threads },
                i => runs[i] = BugFinding.Run(v, o.FirstSeed + (ulong)i, o.Cap, o.Size, shrink: i < o.ShrinkSeeds));
            double probe = sw.Elapsed.TotalSeconds;
            var corpus = BugFinding.CorpusKeys(v);
            var bfs = o.Bfs ? BfsOf(v, o) : null;
            var vrows = Rows(v, runs, corpus, bfs, o.Within);
            rows.AddRange(vrows.Select(r => (v, r)));
            Print(w, v, vrows, runs, bfs, probe, o);
        }
        return Summary(w, rows, o, total.Elapsed);
    }

    /// <summary>The variants the options select, in check's order (arm64 first).</summary>
    public static IReadOnlyList<IVariant> Variants(Options o)
    {
        IEnumerable<IVariant> all = o.Arch switch
        {
            "arm64" => Arm64Variants.All,
            "x86" => X86Variants.All,
            _ => [.. Arm64Variants.All, .. X86Variants.All],
        };
        return [.. all.Where(v => o.Variant is null || v.Id == o.Variant || v.Label == o.Variant)];
    }

    /// <summary>Per declared key: corpus, counts, shrunk sizes and the verdicts against both targets.</summary>
    public static IReadOnlyList<KeyRow> Rows(IVariant v, IReadOnlyList<SeedRun> runs, IReadOnlySet<string> corpus, BfsFacts? bfs, int within)
    {
        var rows = new List<KeyRow>();
        foreach (var k in v.ExpectedViolations.Order(StringComparer.Ordinal))
        {
            var hits = runs.Select(r => r.Hits[k]).ToList();
            var traces = hits.Select(h => h.Traces).ToArray();
            int foundWithin = traces.Count(t => t is { } n && n <= within);
            var shrunk = hits.Where(h => h.ShrunkActions is not null).ToList();
            int[] sa = [.. shrunk.Select(h => h.ShrunkActions!.Value)], sp = [.. shrunk.Select(h => h.ShrunkProgram!.Value)];
            BfsMin? min = bfs?.Found.GetValueOrDefault(k);
            bool findOk = foundWithin * 100 >= 95 * runs.Count;
            bool? shrinkOk = min is null || sa.Length == 0 ? null : sa.Max() <= min.Actions + 1;
            string? longest = shrunk.OrderByDescending(h => h.ShrunkActions).FirstOrDefault()?.Shrunk;
            rows.Add(new KeyRow(k, corpus.Contains(k), runs.Count, foundWithin, traces, sa, sp, min, findOk, shrinkOk, longest));
        }
        return rows;
    }

    private static string Count(int? n, int cap) => n is { } x ? x.ToString(Inv) : $">{cap}";

    private static void Print(TextWriter w, IVariant v, IReadOnlyList<KeyRow> rows, SeedRun[] runs, BfsFacts? bfs, double probe, Options o)
    {
        w.WriteLine();
        string bfsText = bfs is null ? "no BFS" : $"BFS {bfs.States:N0} states, depth {bfs.DepthReached}{(bfs.Truncated ? " TRUNCATED" : "")}, {bfs.Seconds:F1} s{(bfs.Cached ? " (cached)" : "")}";
        w.WriteLine($"{v.Label}: {runs.Sum(r => r.TracesRun):N0} traces in {probe:F1} s; {bfsText}");
        w.WriteLine($"  {"key",-32} {"corpus",6} {$"<={o.Within}",6} {"median",6} {"p95",6} {"max",6}  {"shrunk",7} {"prog",5}  {"BFS",7}  find shrink");
        foreach (var r in rows)
        {
            string shrunk = r.ShrunkActions.Length == 0 ? "-" : $"{Median(r.ShrunkActions)}/{r.ShrunkActions.Max()}";
            string prog = r.ShrunkPrograms.Length == 0 ? "-" : $"{Median(r.ShrunkPrograms)}/{r.ShrunkPrograms.Max()}";
            string min = r.Bfs is { } m ? $"{m.Actions} ({m.Program})" : bfs is null ? "-" : "none";
            w.WriteLine($"  {r.Key,-32} {(r.Corpus ? "yes" : "no"),6} {100.0 * r.FoundWithin / r.Seeds,5:F0}% {Count(BugFinding.Percentile(r.Traces, 0.5), o.Cap),6} {Count(BugFinding.Percentile(r.Traces, 0.95), o.Cap),6} {Count(BugFinding.Percentile(r.Traces, 1.0), o.Cap),6}  {shrunk,7} {prog,5}  {min,7}  {(r.FindOk ? "PASS" : "MISS"),-4} {r.ShrinkOk switch { true => "PASS", false => "MISS", null => "n/a" }}");
            if (o.Show && r.ShrinkOk == false)
            {
                w.WriteLine($"      longest shrunk: {r.Longest}");
                w.WriteLine($"      BFS minimum:    {r.Bfs!.Script}");
            }
        }
    }

    private static int Median(int[] xs) => xs.Order().ElementAt((xs.Length - 1) / 2);

    private static int Summary(TextWriter w, List<(IVariant V, KeyRow R)> rows, Options o, TimeSpan elapsed)
    {
        w.WriteLine();
        var findMiss = rows.Where(x => !x.R.FindOk).ToList();
        var withBfs = rows.Where(x => x.R.ShrinkOk is not null).ToList();
        var shrinkMiss = withBfs.Where(x => x.R.ShrinkOk == false).ToList();
        int noBfs = rows.Count(x => x.R.Bfs is null);
        w.WriteLine($"found within {o.Within} traces for >= 95% of seeds: {rows.Count - findMiss.Count}/{rows.Count} variant x key {(findMiss.Count == 0 ? "PASS" : "MISS")}"
            + (findMiss.Count == 0 ? "" : $"; misses by key (variants, worst share): {string.Join(", ", findMiss.GroupBy(x => x.R.Key).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} ({g.Count()}, {g.Min(x => 100.0 * x.R.FoundWithin / x.R.Seeds):F0}%)"))}"));
        w.WriteLine($"shrunk <= BFS minimum + 1 on every shrunk seed: {withBfs.Count - shrinkMiss.Count}/{withBfs.Count} variant x key with a BFS minimum {(shrinkMiss.Count == 0 ? "PASS" : "MISS")}"
            + $" ({noBfs} without a BFS minimum within the bound)"
            + (shrinkMiss.Count == 0 ? "" : $"; misses by key (variants, worst max vs BFS): {string.Join(", ", shrinkMiss.GroupBy(x => x.R.Key).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.MaxBy(x => x.R.ShrunkActions.Max() - x.R.Bfs!.Actions)).Select(x => $"{x.R.Key} ({shrinkMiss.Count(y => y.R.Key == x.R.Key)}, {x.R.ShrunkActions.Max()} vs {x.R.Bfs!.Actions})"))}"));
        var seedsOk = withBfs.SelectMany(x => x.R.ShrunkActions.Select(a => a <= x.R.Bfs!.Actions + 1)).ToList();
        if (seedsOk.Count > 0) w.WriteLine($"  per shrunk seed: {seedsOk.Count(b => b)}/{seedsOk.Count} counterexamples within BFS minimum + 1; shorter than the BFS minimum: {withBfs.Sum(x => x.R.ShrunkActions.Count(a => a < x.R.Bfs!.Actions))}");
        w.WriteLine($"total {elapsed.TotalSeconds:F0} s wall, {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F0} s CPU");
        return findMiss.Count == 0 && shrinkMiss.Count == 0 ? 0 : 1;
    }

    /// <summary>The BFS minimum of every key within the bound, cached in the bench directory per model build.</summary>
    public static BfsFacts BfsOf(IVariant v, Options o)
    {
        string name = string.Concat(v.Label.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' ? c : '_'));
        string file = System.IO.Path.Combine(TraceFiles.Directory, $"bfs2-{name}-L{o.BfsLength}-d{o.BfsDepth}-m{o.BfsMaxStates}-{TraceFiles.ModelTag}.txt");
        if (File.Exists(file))
        {
            var lines = File.ReadAllLines(file);
            var head = lines[0].Split(' ');
            var found = lines.Skip(1).Select(l => l.Split(' ', 4)).ToDictionary(p => p[0], p => new BfsMin(int.Parse(p[1], Inv), int.Parse(p[2], Inv), p[3]), StringComparer.Ordinal);
            return new BfsFacts(found, bool.Parse(head[0]), int.Parse(head[1], Inv), long.Parse(head[2], Inv), double.Parse(head[3], Inv), true);
        }
        var r = ExhaustiveExplorer.Explore(v, o.BfsLength, new Bound(o.BfsDepth, o.BfsMaxStates, o.Threads));
        var facts = r.Found.ToDictionary(kv => kv.Key, kv => new BfsMin(kv.Value.ActionCount, ProgramLength(kv.Value), ScriptText(kv.Value).ReplaceLineEndings(" ")), StringComparer.Ordinal);
        var s = r.Search;
        Directory.CreateDirectory(TraceFiles.Directory);
        File.WriteAllLines(file, [string.Create(Inv, $"{s.Truncated} {s.DepthReached} {s.States} {s.Elapsed.TotalSeconds:F1}"),
            .. facts.Select(kv => string.Create(Inv, $"{kv.Key} {kv.Value.Actions} {kv.Value.Program} {kv.Value.Script}"))]);
        return new BfsFacts(facts, s.Truncated, s.DepthReached, s.States, s.Elapsed.TotalSeconds, false);
    }

    private static string ScriptText(ICounterexample c) => c switch
    {
        Counterexample a => a.Script.ToString(),
        X86Counterexample x => x.Script.ToString(),
        _ => c.Program,
    };

    private static int ProgramLength(ICounterexample c) => c switch
    {
        Counterexample a => a.Script.Program.Body.Length,
        X86Counterexample x => x.Script.Program.Body.Length,
        _ => 0,
    };
}
