using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Kvmspec.Model.Arm64;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Bench;

/// <summary>The BenchmarkDotNet configuration: the defaults plus an events-per-second column. Where
/// <c>OperationsPerInvoke</c> is the trace's event count, Mean is per event and the memory diagnoser's
/// "Allocated" is bytes per event; where the length is a parameter (<c>Events</c>), Mean is per pass.</summary>
public sealed class BenchConfig : ManualConfig
{
    /// <summary>The defaults and <see cref="EventsPerSecondColumn"/>; results go to bench/BenchmarkDotNet.Artifacts.</summary>
    public BenchConfig()
    {
        Add(DefaultConfig.Instance);
        AddColumn(new EventsPerSecondColumn());
        ArtifactsPath = Path.Combine(BenchDirectory(), "BenchmarkDotNet.Artifacts");
    }

    /// <summary>The repository's bench directory (found upwards from the executable), else the temp directory.</summary>
    private static string BenchDirectory()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Bench", "Bench.csproj"))) return d.FullName;
        return TraceFiles.Directory;
    }
}

/// <summary>Events per second: the trace's length (the <c>Events</c> parameter, else <c>OperationsPerInvoke</c>)
/// over the mean time of one pass over it.</summary>
public sealed class EventsPerSecondColumn : IColumn
{
    /// <inheritdoc/>
    public string Id => nameof(EventsPerSecondColumn);
    /// <inheritdoc/>
    public string ColumnName => "Events/s";
    /// <inheritdoc/>
    public bool AlwaysShow => true;
    /// <inheritdoc/>
    public ColumnCategory Category => ColumnCategory.Custom;
    /// <inheritdoc/>
    public int PriorityInCategory => 0;
    /// <inheritdoc/>
    public bool IsNumeric => true;
    /// <inheritdoc/>
    public UnitType UnitType => UnitType.Dimensionless;
    /// <inheritdoc/>
    public string Legend => "Trace events per second: the trace's length over the mean time of one pass";
    /// <inheritdoc/>
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    /// <inheritdoc/>
    public bool IsAvailable(Summary summary) => true;
    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (summary[benchmarkCase]?.ResultStatistics is not { } stats) return "NA";
        double perInvoke = benchmarkCase.Descriptor.OperationsPerInvoke;
        double events = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Events")?.Value is int e ? e : perInvoke;
        double secondsPerPass = stats.Mean * 1e-9 * perInvoke;
        return (events / secondsPerPass).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>(a) Invariant checking only: a 1,000,000-event model trace, parsed beforehand into an array,
/// through a <see cref="Spec.Invariants.TraceChecker"/> of every arm64 invariant, then Finish.</summary>
/// <remarks>Each invocation takes about a second, so the job is a macro-benchmark one: one invocation per
/// iteration, no pilot stage.</remarks>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class InvariantBenchmarks
{
    /// <summary>Events in the trace.</summary>
    public const int Events = 1_000_000;

    private TraceHeader header = null!;
    private TraceEvent[] events = [];

    /// <summary>Generates (or finds) the trace and parses it into memory.</summary>
    [GlobalSetup]
    public void Setup()
    {
        (header, events) = TraceFiles.Load(TraceFiles.Ensure(Events, log: Console.Out));
        if (events.Length != Events) throw new InvalidOperationException($"{events.Length} events, not {Events}");
    }

    /// <summary>Every event through every invariant's monitor and the shared GuestView.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public long CheckInvariants() => Paths.CheckInvariants(header, events);
}

/// <summary>(b) The file paths on a 1,000,000-event trace: the TraceReader alone, and the whole
/// <c>kvmspec conform FILE</c> path (<see cref="Model.Oracle.Conformance.Check"/> without a variant:
/// read, parse, check every invariant).</summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class FileBenchmarks
{
    /// <summary>Events in the trace.</summary>
    public const int Events = 1_000_000;

    private string path = "";

    /// <summary>Generates (or finds) the trace.</summary>
    [GlobalSetup]
    public void Setup() => path = TraceFiles.Ensure(Events, log: Console.Out);

    /// <summary>Parsing only: every event read and dropped.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public long Parse() => Paths.Parse(path);

    /// <summary><c>kvmspec conform FILE</c>.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public long Conform() => Paths.Conform(path, null).Events;
}

/// <summary>(c) <c>kvmspec conform FILE --variant arm64/upstream</c>: read, parse, check every invariant and
/// replay the trace's inputs through the upstream variant in lockstep, on traces that are each one
/// script's trace (so the replay agrees to the end).</summary>
/// <remarks>Lengths of 10,000 and 30,000 events, not 100,000: the replay's time per event grows with
/// the trace (its set of live hypotheses is not bounded; see bench/README.md), and one pass over 100,000
/// events takes minutes. <c>quick --replay 100000</c> measures that length once.</remarks>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ReplayBenchmarks
{
    /// <summary>Events in the trace.</summary>
    [Params(10_000, 30_000)]
    public int Events { get; set; }

    private string path = "";

    /// <summary>Generates (or finds) the trace and checks that the replay agrees (a divergence would end the
    /// replay early and make the figure meaningless).</summary>
    [GlobalSetup]
    public void Setup()
    {
        path = TraceFiles.Ensure(Events, log: Console.Out);
        var r = Paths.Conform(path, Arm64Variants.Upstream);
        if (r.Divergence is not null || r.ReplayNotPossible is not null) throw new InvalidOperationException(Paths.Summary(r));
    }

    /// <summary><c>kvmspec conform FILE --variant arm64/upstream</c>.</summary>
    [Benchmark]
    public long ConformWithReplay() => Paths.Conform(path, Arm64Variants.Upstream).Events;
}
