using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using Xunit.Abstractions;

namespace Kvmspec.Properties.Support;

/// <summary>The one place tests touch FsCheck's runner: checks a property inside a plain xunit
/// test, sends FsCheck's report (with the shrunk counterexample and the replay seed) to the test
/// output, and fails the test when the property fails.</summary>
/// <remarks>FsCheck.Xunit is not available here (fscheck-3.6-notes §1.2): WithRunner replaces the
/// throwing runner, so <see cref="Runner"/> throws itself.</remarks>
public static class Props
{
    public const int DefaultTests = 200;

    public static void Check<T>(Arbitrary<T> arb, Func<T, Property> property, ITestOutputHelper? output = null, int maxTest = DefaultTests, (ulong Seed, ulong Gamma)? replay = null)
    {
        var config = Config.QuickThrowOnFailure.WithMaxTest(maxTest).WithQuietOnSuccess(output is null).WithRunner(new Runner(output));
        if (replay is { } r) config = config.WithReplay(r.Seed, r.Gamma);
        FsCheck.Check.One(config, Prop.ForAll(arb, property));
    }

    public static void Check<T>(Arbitrary<T> arb, Func<T, bool> property, ITestOutputHelper? output = null, int maxTest = DefaultTests) =>
        Check(arb, x => property(x).ToProperty(), output, maxTest);

    private sealed class Runner(ITestOutputHelper? output) : IRunner
    {
        public void OnStartFixture(Type t) { }
        public void OnArguments(int n, FSharpList<object> args, FSharpFunc<int, FSharpFunc<FSharpList<object>, string>> every) { }
        public void OnShrink(FSharpList<object> args, FSharpFunc<FSharpList<object>, string> everyShrink) { }
        public void OnFinished(string name, TestResult result)
        {
            var text = FsCheck.Runner.onFinishedToString(name, result);
            output?.WriteLine(text);
            if (!result.IsPassed) throw new Xunit.Sdk.XunitException(text);
        }
    }
}
