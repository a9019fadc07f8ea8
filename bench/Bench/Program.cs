using BenchmarkDotNet.Running;
using Kvmspec.Bench;
using Kvmspec.Model.Arm64;

// dotnet run -c Release --project bench/Bench -- <command>
//   quick [--sizes 100000,1000000,3000000] [--throughput 1000000] [--replay 10000,30000|none] [--repeat 3] [--profile]
//   bugfinding [--seeds 100] [--arch arm64|x86|all] [--variant ID] [--cap 1000] [--shrink-seeds N] [--bfs-depth 4] [--no-bfs]
//                                        random traces to find each declared violation, shrunk vs BFS-minimal length
//   quick-one FILE [--variant ID]        conform FILE in this process; print time and memory
//   profile [EVENTS]                     where invariant checking and parsing spend their time
//   profile-replay FILE [CHUNK]          the lockstep replay alone, timed per chunk and per event kind
//   parse FILE                           TraceReader alone over FILE, twice (the second timed)
//   gen EVENTS [SEED]                    generate (or find) the cached trace and print its path
//   explorer [DEPTH] [VARIANT...]         the exhaustive search on 1 and 2 threads: states/s and the speedup
//   spin-twin [--length L] [--depth D] [--threads T] [--repeat R]   Bfs on the SPIN twin (bench/spin)
//   (anything else)                      BenchmarkDotNet: e.g. --filter '*' (see bench/README.md)
try
{
    return args switch
    {
        ["quick", .. var rest] => Quick.Run(Quick.Options.Parse(rest), Console.Out),
        ["bugfinding", .. var rest] => BugFindingBench.Run(BugFindingBench.Options.Parse(rest), Console.Out),
        ["quick-one", var file] => Quick.One(file, null, Console.Out),
        ["quick-one", var file, "--variant", var id] => Quick.One(file, Arm64Variants.Find(id) ?? throw new ArgumentException($"unknown variant {id}"), Console.Out),
        ["profile"] => Profile(1_000_000),
        ["profile", var n] => Profile(long.Parse(n, System.Globalization.CultureInfo.InvariantCulture)),
        ["profile-replay", var file] => ReplayProfile.Run(file, 5_000, Console.Out),
        ["profile-replay", var file, var chunk] => ReplayProfile.Run(file, int.Parse(chunk, System.Globalization.CultureInfo.InvariantCulture), Console.Out),
        ["parse", var file] => Parse(file),
        ["spin-twin", .. var rest] => SpinTwinRun.Run(rest, Console.Out),
        ["gen", var n] => Gen(long.Parse(n, System.Globalization.CultureInfo.InvariantCulture), TraceFiles.DefaultSeed),
        ["gen", var n, var seed] => Gen(long.Parse(n, System.Globalization.CultureInfo.InvariantCulture), ulong.Parse(seed, System.Globalization.CultureInfo.InvariantCulture)),
        ["explorer", .. var rest] => ExplorerSpeed.Run(rest, Console.Out),
        [] => Usage(),
        _ => Bdn(args),
    };
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage: dotnet run -c Release --project bench/Bench -- <command>
          quick [--sizes 100000,1000000,3000000] [--throughput 1000000] [--replay 10000,30000|none] [--repeat 3] [--profile]
          quick-one FILE [--variant ID]
          bugfinding [--seeds 100] [--arch arm64|x86|all] [--variant ID] [--within 100] [--cap 1000] [--size 24]
                     [--shrink-seeds N] [--bfs-length 1] [--bfs-depth 4] [--bfs-max-states 200000] [--no-bfs] [--threads N]
          profile [EVENTS] | profile-replay FILE [CHUNK] | parse FILE | gen EVENTS [SEED]
          spin-twin [--length L] [--depth D] [--threads T] [--repeat R]
          --filter '*'   (BenchmarkDotNet; see bench/README.md)
        """);
    return 2;
}

static int Profile(long n)
{
    Quick.Profile(TraceFiles.Ensure(n, log: Console.Out), 3, Console.Out);
    return 0;
}

static int Parse(string file)
{
    Paths.Parse(file);
    var sw = System.Diagnostics.Stopwatch.StartNew();
    long n = Paths.Parse(file);
    Console.WriteLine($"{n:N0} events in {sw.Elapsed.TotalSeconds:F3} s: {n / sw.Elapsed.TotalSeconds:N0} events/s");
    return 0;
}

static int Gen(long n, ulong seed)
{
    Console.WriteLine(TraceFiles.Ensure(n, seed, Console.Out));
    return 0;
}

static int Bdn(string[] args)
{
    var summaries = BenchmarkSwitcher.FromAssembly(typeof(Paths).Assembly).Run(args, new BenchConfig());
    return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
}
