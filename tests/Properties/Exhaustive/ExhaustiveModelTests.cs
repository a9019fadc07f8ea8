using Kvmspec.Model.Arm64;
using Kvmspec.Model.Exploration;
using Kvmspec.Model.Exploration.Exhaustive;
using Kvmspec.Model.X86;
using Xunit;
using Action = Kvmspec.Model.Exploration.Action;

namespace Kvmspec.Properties.Exhaustive;

/// <summary>The exhaustive search over the real model: its counterexamples replay, are minimal
/// (checked by brute force, independently of the search), agree with the declarations, and do not
/// depend on the thread count.</summary>
public class ExhaustiveModelTests
{
    private static readonly Bound Depth2 = new(2, 1_000_000, 2);

    [Theory]
    [InlineData("arm64/v4.2", "STEP-ONE:extra")]
    [InlineData("arm64/v4.15", "NO-LEAK:userspace")]
    [InlineData("arm64/v5.0", "REENTRY-COMPLETES:twice")]
    public void Arm64_BfsCounterexample_Replays_AndNoShorterScriptOnItsProgramViolates(string id, string key)
    {
        var v = Arm64Variants.Find(id)!;
        var r = ExhaustiveExplorer.Explore(v, 1, new Bound(3, 1_000_000, 2));
        var cx = Assert.IsType<Counterexample>(r.Found[key]);
        Assert.Contains(Judge.ViolationsOf(v.Id, Simulator.Execute(v, cx.Script).Trace), x => x.Key == key);
        // Brute force: every shorter action sequence over the same alphabet, on the same program.
        foreach (var shorter in Sequences(Arm64Space.Alphabet, cx.Script.Actions.Length - 1))
            Assert.DoesNotContain(Judge.ViolationsOf(v.Id, Simulator.Execute(v, new Script(cx.Script.Program, [.. shorter])).Trace), x => x.Key == key);
    }

    [Theory]
    [InlineData("x86/v5.0", "STEP-ONE:extra")]
    [InlineData("x86/pre-94fe45da", "IRQ-BLOCKED:injected")]
    public void X86_BfsCounterexample_Replays_AndNoShorterScriptOnItsProgramViolates(string id, string key)
    {
        var v = X86Variants.WithId(id)[0];
        var r = ExhaustiveExplorer.Explore(v, 1, new Bound(3, 1_000_000, 2));
        var cx = Assert.IsType<X86Counterexample>(r.Found[key]);
        Assert.Contains(X86Explorer.Violations(X86Simulator.Execute(v, cx.Script).Trace), x => x.Key == key);
        foreach (var shorter in Sequences(X86Space.Alphabet(v, cx.Script.Program), cx.Script.Actions.Length - 1))
            Assert.DoesNotContain(X86Explorer.Violations(X86Simulator.Execute(v, new X86Script(cx.Script.Program, [.. shorter])).Trace), x => x.Key == key);
    }

    private static IEnumerable<Action[]> Sequences(IReadOnlyList<Action> alphabet, int maxLength)
    {
        for (int len = 0; len <= maxLength; len++)
            foreach (var idx in Programs.Of(Enumerable.Range(0, alphabet.Count).ToList(), len).DefaultIfEmpty([]))
                if (idx.Length == len) yield return [.. idx.Select(i => alphabet[i])];
    }

    [Fact]
    public void EveryFinding_IsDeclared_ForEveryVariant_AtDepth2()
    {
        foreach (IVariant v in Arm64Variants.All.Cast<IVariant>().Concat(X86Variants.All))
        {
            var r = ExhaustiveExplorer.Explore(v, 1, Depth2);
            Assert.Empty(r.Unhandled);
            Assert.All(r.Found.Keys, k => Assert.True(v.ExpectedViolations.Contains(k), $"{v.Label}: {k} found exhaustively but not declared"));
        }
    }

    [Fact]
    public void TheSearch_DoesNotDependOnTheThreadCount()
    {
        var v = Arm64Variants.Find("arm64/v4.15")!;
        var one = ExhaustiveExplorer.Explore(v, 1, Depth2 with { Threads = 1 });
        var two = ExhaustiveExplorer.Explore(v, 1, Depth2 with { Threads = 2 });
        Assert.Equal(one.Search.States, two.Search.States);
        Assert.Equal(one.Search.Transitions, two.Search.Transitions);
        Assert.Equal(one.Found.Keys, two.Found.Keys);
        foreach (var k in one.Found.Keys)
            Assert.Equal(((Counterexample)one.Found[k]).Script, ((Counterexample)two.Found[k]).Script);
    }

    [Fact]
    public void MonitorsArePartOfTheState_SoTheSameVcpuWithADifferentHistoryIsAnotherState()
    {
        // A KVM_GET_ONE_REG changes nothing in the vCPU but what the monitors have seen (the VMM read
        // the PC): without the monitors in the state it would merge with its parent.
        var v = Arm64Variants.Find("arm64/upstream")!;
        var space = Arm64Space.For(v, 1);
        var s0 = space.Initial[0];
        int get = Arm64Space.Alphabet.ToList().FindIndex(a => a is Do { Event: Kvmspec.Spec.Trace.GetOneReg { Reg: Kvmspec.Spec.Kvm.OneReg.PSTATE } });
        var s1 = space.Step(s0.State, get)!.Value;
        Assert.Equal(s0.State.S, s1.State.S);
        Assert.NotEqual(s0.Key, s1.Key);
        var again = space.Step(s1.State, get)!.Value;
        Assert.Equal(s1.State.S, again.State.S);
    }
}
