using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Kvmspec.Model.Arm64;
using Kvmspec.Model.Exploration;
using Kvmspec.Model.Exploration.Exhaustive;
using Kvmspec.Model.X86;

namespace Kvmspec.Bench;

/// <summary>(d) Explorer throughput over the real model: the exhaustive search of one variant at a
/// fixed bound (programs of one instruction, <see cref="Depth"/> actions) on one or two threads, and
/// the random probe (scripts generated, run and judged). States/s is the reported figure: the
/// search's distinct states (<see cref="States"/>, printed at setup) over the mean time.</summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ExplorerBenchmarks
{
    /// <summary>The variant explored.</summary>
    [Params("arm64/upstream", "x86/upstream")]
    public string Variant { get; set; } = "arm64/upstream";

    /// <summary>Threads for the search.</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    /// <summary>Actions per path.</summary>
    public const int Depth = 3;

    /// <summary>Distinct states of the search at this bound (the same for any thread count).</summary>
    public long States { get; private set; }

    private IVariant v = null!;

    /// <summary>Finds the variant and runs the search once, to print its size.</summary>
    [GlobalSetup]
    public void Setup()
    {
        v = (IVariant?)Arm64Variants.Find(Variant) ?? X86Variants.WithId(Variant)[0];
        States = ExhaustiveExplorer.Explore(v, 1, new Bound(Depth, 10_000_000, Threads)).Search.States;
        Console.WriteLine($"// {Variant}: {States:N0} states at depth {Depth}");
    }

    /// <summary>The exhaustive search, counterexamples replayed.</summary>
    [Benchmark]
    public long Exhaustive() => ExhaustiveExplorer.Explore(v, 1, new Bound(Depth, 10_000_000, Threads)).Search.States;
}

/// <summary>(e) Random trace throughput: 200 scripts of up to 24 actions generated, run through the
/// variant and judged by every invariant (no shrinking), one thread. Traces/s = 200 / mean.</summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class RandomTraceBenchmarks
{
    /// <summary>Scripts per invocation.</summary>
    public const int Traces = 200;

    /// <summary>The variant explored.</summary>
    [Params("arm64/upstream", "x86/upstream")]
    public string Variant { get; set; } = "arm64/upstream";

    /// <summary>Generates, runs and judges <see cref="Traces"/> scripts; returns the events seen.</summary>
    [Benchmark(OperationsPerInvoke = Traces)]
    public long RandomTraces()
    {
        long events = 0;
        if (Arm64Variants.Find(Variant) is { } a)
        {
            for (int i = 0; i < Traces; i++)
            {
                var t = Simulator.Execute(a, ScriptGenerator.Generate(new Rng((ulong)i + 1), 24)).Trace;
                events += t.Events.Length + Judge.ViolationsOf(a.Id, t).Count();
            }
            return events;
        }
        var x = X86Variants.WithId(Variant)[0];
        for (int i = 0; i < Traces; i++)
        {
            var t = X86Simulator.Execute(x, X86ScriptGenerator.Generate(x, new Rng((ulong)i + 1), 24)).Trace;
            events += t.Events.Length + X86Explorer.Violations(t).Count();
        }
        return events;
    }
}
