using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kvmspec.Model.Arm64;
using Kvmspec.Model.X86;
using Kvmspec.Model.Exploration;
using Kvmspec.Model.Exploration.Exhaustive;
using Kvmspec.Model.Machines;
using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Cli;

/// <summary>The kvmspec command line: a thin shell over the model. Exit codes: 0 as declared /
/// conforming, 1 a mismatch or violation, 2 bad input (one line on stderr, never a stack trace).</summary>
public static class KvmspecCommand
{
    public const int DefaultTraces = 300, DefaultRandomSize = 24, DefaultDepth = 2, DefaultProgramLength = 1, DefaultMaxStates = 200_000;
    public const ulong DefaultSeed = 1;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            return Build(stdout, stderr, args);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"kvmspec: {e.Message}");
            return 2;
        }
    }

    private sealed class UsageException(string m) : Exception(m);

    /// <summary>Runs a command's action, turning bad input found inside it into one line and exit 2.</summary>
    private static Func<ParseResult, int> Guarded(TextWriter stderr, Func<ParseResult, int> action) => pr =>
    {
        try
        {
            return action(pr);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"kvmspec: {e.Message}");
            return 2;
        }
    };

    private static int Build(TextWriter stdout, TextWriter stderr, string[] args)
    {
        var arch = new Option<string>("--arch") { Description = "arm64 | x86 | all", DefaultValueFactory = _ => "all" };
        var variant = new Option<string?>("--variant") { Description = "explore only this variant id" };
        var depth = new Option<int>("--depth") { Description = "exhaustive search: actions per path", DefaultValueFactory = _ => DefaultDepth };
        var programLength = new Option<int>("--program-length") { Description = "exhaustive search: instructions per guest program (0: no exhaustive search)", DefaultValueFactory = _ => DefaultProgramLength };
        var maxStates = new Option<int>("--max-states") { Description = "exhaustive search: stop after this many distinct states per variant (reported)", DefaultValueFactory = _ => DefaultMaxStates };
        var threads = new Option<int>("--threads") { Description = "threads for the search (default: all cores)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var randomSize = new Option<int>("--random-size") { Description = "random probe: actions per script (upper bound)", DefaultValueFactory = _ => DefaultRandomSize };
        var traces = new Option<int>("--traces") { Description = "random scripts per variant", DefaultValueFactory = _ => DefaultTraces };
        var seed = new Option<ulong>("--seed") { Description = "seed of the random scripts", DefaultValueFactory = _ => DefaultSeed };
        var format = new Option<string>("--format") { Description = "text | json | markdown (explain, graph: text | mermaid | dot)", DefaultValueFactory = _ => "text" };

        var check = new Command("check", "Explore every variant, print the verdict matrix and a minimal counterexample for each violation.");
        foreach (var o in new Option[] { arch, variant, depth, programLength, maxStates, threads, traces, randomSize, seed, format }) check.Options.Add(o);
        CheckBounds Bounds(ParseResult pr) => new(NonNegative(pr.GetValue(programLength), "--program-length"), Positive(pr.GetValue(depth), "--depth"),
            Positive(pr.GetValue(maxStates), "--max-states"), Positive(pr.GetValue(threads), "--threads"), Positive(pr.GetValue(traces), "--traces"),
            Positive(pr.GetValue(randomSize), "--random-size"), pr.GetValue(seed));
        check.SetAction(Guarded(stderr, pr => Check(stdout,
            Arch(pr.GetValue(arch)!), pr.GetValue(variant), Bounds(pr), OneOf(pr.GetValue(format)!, "--format", "text", "json", "markdown"))));

        var vArg = new Argument<string>("VARIANT");
        var iArg = new Argument<string>("INVARIANT");
        var explain = new Command("explain", "Draw one minimal counterexample of INVARIANT (id or id:path) in VARIANT.");
        explain.Arguments.Add(vArg);
        explain.Arguments.Add(iArg);
        foreach (var o in new Option[] { depth, programLength, maxStates, threads, traces, randomSize, seed, format }) explain.Options.Add(o);
        explain.SetAction(Guarded(stderr, pr => Explain(stdout, pr.GetValue(vArg)!, pr.GetValue(iArg)!, Bounds(pr), OneOf(pr.GetValue(format)!, "--format", "text", "mermaid"))));

        var variants = new Command("variants", "List the variants with their sources and declared violations.");
        variants.SetAction(Guarded(stderr, _ => Variants(stdout)));
        var invariants = new Command("invariants", "List the invariants with their statements, paths and sources.");
        invariants.SetAction(Guarded(stderr, _ => Invariants(stdout)));

        var mArg = new Argument<string?>("MACHINE") { Description = "a declared machine (RunProtocol, GuestDebug, ...)", Arity = ArgumentArity.ZeroOrOne };
        var writeDocs = new Option<string?>("--write-docs") { Description = "regenerate every machine's Mermaid block in this markdown file (docs/machines.md)" };
        var graphFormat = new Option<string>("--format") { Description = "mermaid | dot", DefaultValueFactory = _ => "mermaid" };
        var graph = new Command("graph", "Draw a declared state machine from its table.");
        graph.Arguments.Add(mArg);
        graph.Options.Add(graphFormat);
        graph.Options.Add(writeDocs);
        graph.SetAction(Guarded(stderr, pr => pr.GetValue(writeDocs) is { } docs
            ? WriteMachineDocs(stdout, docs, pr.GetValue(mArg))
            : Graph(stdout, pr.GetValue(mArg), OneOf(pr.GetValue(graphFormat)!, "--format", "mermaid", "dot"))));

        var traceArg = new Argument<string>("TRACE") { Description = "a JSON Lines trace (docs/trace-format.md)" };
        var conformVariant = new Option<string?>("--variant") { Description = "also replay the trace's inputs through this variant in lockstep" };
        var conform = new Command("conform", "Judge a recorded trace against every invariant; with --variant, replay it to the first divergence.");
        conform.Arguments.Add(traceArg);
        conform.Options.Add(conformVariant);
        conform.Options.Add(format);
        conform.SetAction(Guarded(stderr, pr => OnFile(pr.GetValue(traceArg)!, file => ConformCommand.Run(stdout, file,
            pr.GetValue(conformVariant) is { } cv ? VariantOrFail(cv, ReplayIsArm64) : null, OneOf(pr.GetValue(format)!, "--format", "text", "json")))));

        var scenarioArg = new Argument<string>("SCENARIO") { Description = "a scenario file (docs/scenario-format.md)" };
        var runVariant = new Option<string?>("--variant") { Description = "run against this variant (default: the scenario's variants)" };
        var run = new Command("run", "Run a scenario file, print its trace and check its expect list.");
        run.Arguments.Add(scenarioArg);
        run.Options.Add(runVariant);
        run.Options.Add(format);
        run.SetAction(Guarded(stderr, pr => OnFile(pr.GetValue(scenarioArg)!, file => ScenarioCommands.Run(stdout, file,
            pr.GetValue(runVariant) is { } rv ? VariantOrFail(rv, ScenariosAreArm64) : null, OneOf(pr.GetValue(format)!, "--format", "text", "json")))));

        var output = new Option<string?>("-o", "--output") { Description = "the trace file to write (default: standard output)" };
        var record = new Command("record", "Write the model's trace of a scenario as a JSON Lines trace.");
        record.Arguments.Add(scenarioArg);
        record.Options.Add(runVariant);
        record.Options.Add(output);
        record.SetAction(Guarded(stderr, pr => OnFile(pr.GetValue(scenarioArg)!, file => ScenarioCommands.Record(stdout, file,
            pr.GetValue(runVariant) is { } rv ? VariantOrFail(rv, ScenariosAreArm64) : null, pr.GetValue(output)))));

        var root = new RootCommand("kvmspec: an executable specification of hypervisor guest debugging (KVM arm64 and x86).");
        foreach (var c in new[] { check, explain, variants, invariants, graph, conform, run, record }) root.Subcommands.Add(c);
        var parsed = root.Parse(args);
        if (args.Length == 0)
            throw new UsageException("no command given; try 'kvmspec check' or 'kvmspec --help'");
        if (parsed.Errors.Count > 0)
            throw new UsageException(parsed.Errors[0].Message);
        return parsed.Invoke();
    }

    /// <summary>Runs an action on an input file; a missing or unreadable file and bad content are bad
    /// input (exit 2), reported in one line with the file, line and field.</summary>
    private static int OnFile(string file, Func<string, int> action)
    {
        if (!File.Exists(file)) throw new UsageException(Directory.Exists(file) ? $"{file}: is a directory, not a file" : $"{file}: no such file");
        try
        {
            return action(file);
        }
        catch (TraceFormatException e)
        {
            throw new UsageException(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{file}: cannot read: {e.Message}");
        }
    }

    private static string Arch(string a) => a switch
    {
        "arm64" or "x86" or "all" => a,
        _ => throw new UsageException($"--arch: unknown architecture '{a}' (expected arm64, x86 or all)"),
    };

    private static int Positive(int v, string name) => v > 0 ? v : throw new UsageException($"{name}: must be a positive number, got {v}");

    private static int NonNegative(int v, string name) => v >= 0 ? v : throw new UsageException($"{name}: must be zero or a positive number, got {v}");

    private static string OneOf(string v, string name, params string[] allowed) =>
        allowed.Contains(v) ? v : throw new UsageException($"{name}: unknown value '{v}' (expected {string.Join(", ", allowed)})");

    /// <summary>The arm64 variant <paramref name="id"/>; an x86 id gets <paramref name="x86"/>, saying why this command cannot use it.</summary>
    private static Variant VariantOrFail(string id, string x86) =>
        Arm64Variants.Find(id) ?? throw new UsageException(X86Variants.WithId(id).Count > 0
            ? $"--variant {id}: {x86}"
            : $"unknown variant '{id}' (see 'kvmspec variants')");

    private const string ReplayIsArm64 = "replay runs the arm64 model only; judge an x86 trace without --variant";
    private const string ScenariosAreArm64 = "scenarios run on the arm64 model only";

    private static VariantReport Random(IVariant v, int traces, int depth, ulong seed) => v switch
    {
        X86Variant x => X86Explorer.Explore(x, traces, depth, seed),
        Variant a => RandomExplorer.Explore(a, traces, depth, seed),
        _ => throw new InvalidOperationException($"no explorer for {v.Id}"),
    };


    /// <summary>The variants of an architecture (x86/upstream twice: without and with the VMM's BLOCKIRQ).</summary>
    private static IReadOnlyList<IVariant> VariantsOf(string arch) => arch switch
    {
        "arm64" => [.. Arm64Variants.All],
        "x86" => [.. X86Variants.All],
        _ => [.. Arm64Variants.All, .. X86Variants.All],
    };

    private static IReadOnlyList<IVariant> VariantsWithId(string id)
    {
        if (Arm64Variants.Find(id) is { } a) return [a];
        var x = X86Variants.WithId(id);
        return x.Count > 0 ? [.. x] : throw new UsageException($"unknown variant '{id}' (see 'kvmspec variants')");
    }

    private static IReadOnlyList<Invariant> InvariantsOf(string arch) => arch == "x86" ? X86Invariants.All : Arm64Invariants.All;

    private static int Check(TextWriter o, string arch, string? variantId, CheckBounds b, string format)
    {
        var vs = variantId is null ? VariantsOf(arch) : VariantsWithId(variantId);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var reports = CheckRun.All(vs, b, Random);
        var elapsed = sw.Elapsed;
        var groups = reports.GroupBy(r => r.Variant.Arch).Select(g => (Arch: g.Key, Reports: (IReadOnlyList<VariantReport>)[.. g])).ToList();
        switch (format)
        {
            case "json": o.WriteLine(CheckJson(reports, arch, b, elapsed).ToJsonString(new JsonSerializerOptions { WriteIndented = true })); break;
            case "markdown":
                foreach (var g in groups) o.Write(Report.Markdown(g.Reports, InvariantsOf(g.Arch)));
                break;
            default:
                for (int k = 0; k < groups.Count; k++)
                {
                    if (k > 0) o.WriteLine();
                    o.Write(Report.Text(groups[k].Reports, InvariantsOf(groups[k].Arch), groups[k].Arch, b, elapsed));
                }
                break;
        }
        return reports.All(r => r.AsDeclared) ? 0 : 1;
    }

    private static JsonObject CheckJson(IReadOnlyList<VariantReport> reports, string arch, CheckBounds b, TimeSpan elapsed) => new()
    {
        ["variants"] = new JsonArray(reports.Select(r => (JsonNode)new JsonObject
        {
            ["id"] = r.Variant.Id,
            ["arch"] = r.Variant.Arch,
            ["label"] = r.Variant.Label,
            ["kind"] = r.Variant.Kind,
            ["sources"] = new JsonArray(r.Variant.Sources.Select(s => (JsonNode)JsonValue.Create(s.ToString())!).ToArray()),
            ["declared"] = new JsonArray(r.Variant.ExpectedViolations.Select(k => (JsonNode)JsonValue.Create(k)!).ToArray()),
            ["found"] = new JsonArray(r.Found.Select(kv => (JsonNode)new JsonObject
            {
                ["invariant"] = kv.Value.Violation.Invariant,
                ["path"] = kv.Value.Violation.Path,
                ["message"] = kv.Value.Violation.Message,
                ["event"] = kv.Value.Violation.EventIndex,
                ["trace"] = new JsonArray(kv.Value.Trace.Events.Where(e => e.Role != EventRole.Internal).Select(e => (JsonNode)TraceJson.Event(e)).ToArray()),
            }).ToArray()),
            ["missing"] = new JsonArray(r.Missing.Select(k => (JsonNode)JsonValue.Create(k)!).ToArray()),
            ["unexpected"] = new JsonArray(r.Unexpected.Select(k => (JsonNode)JsonValue.Create(k)!).ToArray()),
            ["unhandled"] = new JsonArray(r.Unhandled.Select(k => (JsonNode)JsonValue.Create(k)!).ToArray()),
            ["as_declared"] = r.AsDeclared,
            ["stats"] = Stats(r),
        }).ToArray()),
        ["stats"] = new JsonObject
        {
            ["arch"] = arch,
            ["mode"] = b.Exhaustive ? "exhaustive+random" : "random",
            ["program_length"] = b.ProgramLength,
            ["depth"] = b.Depth,
            ["max_states"] = b.MaxStates,
            ["threads"] = b.Threads,
            ["traces_per_variant"] = b.Traces,
            ["random_size"] = b.RandomSize,
            ["seed"] = b.Seed,
            ["states"] = reports.Sum(r => r.Exhaustive?.Search.States ?? 0),
            ["transitions"] = reports.Sum(r => r.Exhaustive?.Search.Transitions ?? 0),
            ["peak_working_set_bytes"] = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64,
            ["events"] = reports.Sum(r => r.Events),
            ["elapsed_ms"] = (long)elapsed.TotalMilliseconds,
        },
    };

    /// <summary>One variant's exhaustive figures for the json report (null without a search).</summary>
    private static JsonNode? Stats(VariantReport r) => r.Exhaustive is not { } x ? null : new JsonObject
    {
        ["programs"] = x.Programs,
        ["program_length"] = x.ProgramLength,
        ["depth_reached"] = x.Search.DepthReached,
        ["truncated"] = x.Search.Truncated,
        ["states"] = x.Search.States,
        ["transitions"] = x.Search.Transitions,
        ["states_per_level"] = new JsonArray(x.Search.StatesPerLevel.Select(n => (JsonNode)JsonValue.Create(n)).ToArray()),
        ["elapsed_ms"] = (long)x.Search.Elapsed.TotalMilliseconds,
        ["states_per_second"] = Math.Round(x.Search.StatesPerSecond),
        ["bytes_per_stored_state"] = Math.Round(x.Search.BytesPerState, 1),
        ["peak_heap_bytes"] = x.Search.PeakHeapBytes,
        ["bfs_minimal"] = new JsonArray(r.FoundExhaustively.Select(k => (JsonNode)JsonValue.Create(k)!).ToArray()),
    };

    private static int Explain(TextWriter o, string variantId, string invariant, CheckBounds b, string format)
    {
        var candidates = VariantsWithId(variantId);
        var id = invariant.Split(':')[0];
        var invs = InvariantsOf(candidates[0].Arch);
        if (invs.FirstOrDefault(i => string.Equals(i.Id, id, StringComparison.OrdinalIgnoreCase)) is not { } inv)
            throw new UsageException($"unknown invariant '{id}' (see 'kvmspec invariants')");
        if (invariant.Contains(':') && !inv.Paths.Contains(invariant[(id.Length + 1)..]))
            throw new UsageException($"unknown path '{invariant}' (paths of {id}: {string.Join(", ", inv.Paths)})");
        IVariant v = candidates[0];
        ICounterexample? hit = null;
        foreach (var cand in candidates)
        {
            v = cand;
            hit = CheckRun.All([cand], b, Random)[0].Found.Values.FirstOrDefault(c => c.Violation.Key == invariant || c.Violation.Invariant == invariant);
            if (hit is not null) break;
        }
        if (hit is null)
        {
            o.WriteLine($"{variantId} shows no violation of {invariant} within {(b.Exhaustive ? $"the exhaustive bound (programs of {b.ProgramLength}, {b.Depth} actions) nor " : "")}{b.Traces} random traces (seed {b.Seed}).");
            return 1;
        }
        if (format == "mermaid")
        {
            o.Write(LaneDiagram.Mermaid(hit.Trace, hit.Violation.EventIndex,
                $"{hit.Violation.Key}: {hit.Violation.Message}", $"{v.Label} violates {hit.Violation.Key}"));
            return 0;
        }
        o.WriteLine($"{v.Label} violates {hit.Violation.Key}: {inv.Statement}");
        o.WriteLine($"  {hit.Violation.Message} (event {hit.Violation.EventIndex})");
        if (v.Reasons.TryGetValue(hit.Violation.Key, out var why)) o.WriteLine($"  declared: {why}");
        o.WriteLine($"  guest program: {hit.Program}");
        o.WriteLine();
        o.Write(LaneDiagram.Text(hit.Trace, hit.Violation.EventIndex));
        return 0;
    }

    private static int Variants(TextWriter o)
    {
        foreach (var v in VariantsOf("all"))
        {
            o.WriteLine($"{v.Label} ({v.Kind})");
            o.WriteLine($"  {v.Summary}");
            o.WriteLine($"  declared: {(v.ExpectedViolations.IsEmpty ? "none" : string.Join(", ", v.ExpectedViolations))}");
            foreach (var s in v.Sources) o.WriteLine($"  source: {s}");
        }
        return 0;
    }

    private static int Invariants(TextWriter o)
    {
        foreach (var (arch, i) in Arm64Invariants.All.Select(i => ("arm64", i)).Concat(X86Invariants.All.Select(i => ("x86", i))))
        {
            o.WriteLine($"{i.Id} ({arch}): {i.Statement}");
            o.WriteLine($"  paths: {string.Join(", ", i.Paths)}");
            foreach (var s in i.Sources) o.WriteLine($"  source: {s}");
        }
        return 0;
    }

    private static string KnownMachines => string.Join(", ", Catalogue.All.Select(x => x.Name));

    private static int Graph(TextWriter o, string? machine, string format)
    {
        if (machine is null) throw new UsageException($"graph: no machine given (machines: {KnownMachines})");
        var m = Catalogue.Find(machine) ?? throw new UsageException($"unknown machine '{machine}' (machines: {KnownMachines})");
        o.Write(format == "dot" ? MachineGraph.Dot(m) : MachineGraph.Mermaid(m));
        return 0;
    }

    /// <summary>Regenerates the generated blocks of a markdown file (docs/machines.md) in place; the
    /// text around them stays. A machine without a block gets a new section at the end.</summary>
    private static int WriteMachineDocs(TextWriter o, string file, string? machine)
    {
        if (machine is not null) throw new UsageException("graph: --write-docs regenerates every machine; give no MACHINE");
        if (Directory.Exists(file)) throw new UsageException($"{file}: is a directory, not a file");
        try
        {
            var before = File.Exists(file) ? File.ReadAllText(file) : "# The declared state machines\n";
            var after = MachineDocs.Regenerate(before, Catalogue.All);
            if (after != before) File.WriteAllText(file, after);
            o.WriteLine($"{file}: {Catalogue.All.Count} diagrams {(after == before ? "already up to date" : "regenerated")}");
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{file}: cannot write: {e.Message}");
        }
    }
}
