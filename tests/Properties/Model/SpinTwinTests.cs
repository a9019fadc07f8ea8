using System.Collections.Immutable;
using Kvmspec.Bench;
using Kvmspec.Model.Arm64;
using Kvmspec.Model.Exploration;
using Kvmspec.Model.Exploration.Exhaustive;
using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Xunit;
using Xunit.Abstractions;
using A = Kvmspec.Model.Exploration.Action;

namespace Kvmspec.Properties.Model;

/// <summary>The SPIN twin (bench/Bench/SpinTwin.cs, bench/spin/arm64_step.pml) is the model's
/// arm64/v4.15 machine where it abstracts it: every sequence of the twin's VMM actions up to a depth,
/// on every program of its instructions, run through <see cref="Simulator"/> (each action applied,
/// then KVM_RUN allowed to return, as the next VMM action would) and through the twin, gives the
/// same projected state after every action; and the twin's STEP-ONE assertion fails exactly when
/// the model's STEP-ONE monitor reports the trace.</summary>
public class SpinTwinTests(ITestOutputHelper output)
{
    private static readonly Variant V = Arm64Variants.V4_15;

    /// <summary>The twin's instruction codes (SpinTwin.Nop ..) as the model's instructions.</summary>
    private static readonly Instruction[] Instructions =
        [new(InstructionKind.Nop), new(InstructionKind.MmioLoadUser), new(InstructionKind.MmioLoadKernel), new(InstructionKind.Hvc)];

    /// <summary>The twin's VMM actions (SpinTwin.SetStep ..) as script actions.</summary>
    private static readonly A[] Actions =
    [
        A.Of(new SetGuestDebug(KvmGuestDebug.KVM_GUESTDBG_ENABLE | KvmGuestDebug.KVM_GUESTDBG_SINGLESTEP)),
        A.Of(new SetGuestDebug(KvmGuestDebug.None)),
        A.Of(new Run()),
        A.Of(new Run(ImmediateExit: true)),
        A.Of(new CompleteMmio(0x42)),
    ];

    private static readonly ulong[] X0Values = [0, 0x42, 0x1, 0x10000];
    private static readonly KvmExitReason[] ExitReasons =
        [KvmExitReason.KVM_EXIT_UNKNOWN, KvmExitReason.KVM_EXIT_MMIO, KvmExitReason.KVM_EXIT_DEBUG, KvmExitReason.KVM_EXIT_INTR];

    /// <summary>The model's state, projected on what the twin keeps.</summary>
    private static string Project(Ctx c)
    {
        var s = c.S;
        ulong off = s.PC - GuestProgram.Base;
        return $"run={s.Run} pc={(off % Instruction.Length == 0 ? (long)(off / Instruction.Length) : -1)} step={Cpu.Step(s)} ss={B(s.PSTATE.SS)} " +
               $"dbg={B(c.Stepping)} hwss={B(s.HwMDSCR_EL1.SS)} tde={B(s.MDCR_EL2.TDE)} pend={B(s.Mmio is not null && s.exit_reason == KvmExitReason.KVM_EXIT_MMIO)} " +
               $"data=0x{s.mmio_data:X} sig={B(s.SignalPending)} hirq={B(s.HostIrqPending)} exit={s.exit_reason} x0=0x{s.X0:X} unhandled={s.Unhandled ?? "-"}";
    }

    /// <summary>The twin's state, projected the same way.</summary>
    private static string Project(TwinState t)
    {
        var step = !t.Hw ? StepState.Inactive : t.SS ? StepState.ActiveNotPending : StepState.ActivePending;
        return $"run={RunStateOf()} pc={t.Pc} step={step} ss={B(t.SS)} dbg={B(t.Dbg)} hwss={B(t.Hw)} tde={B(t.Hw)} pend={B(t.Pend)} " +
               $"data=0x{(t.MmioData ? 0x42UL : 0):X} sig={B(t.Sig)} hirq=0 exit={ExitReasons[t.ExitReason]} x0=0x{X0Values[t.X0]:X} unhandled=-";
    }

    private static Kvmspec.Model.Machines.RunState RunStateOf() => Kvmspec.Model.Machines.RunState.InVmm;

    private static int B(bool v) => v ? 1 : 0;

    [Theory]
    [InlineData(1, 6)]
    [InlineData(2, 5)]
    [InlineData(3, 4)]
    public void TwinAgreesWithTheModel(int length, int depth)
    {
        var twin = new SpinTwin(length, depth);
        long nodes = 0, stepOne = 0;
        foreach (var body in Programs.Of(Enumerable.Range(0, 4).ToArray(), length).Where(b => b.Length == length))
        {
            var p = new GuestProgram([.. body.Select(i => Instructions[i])]);
            var t = twin.Initial[0].State;
            foreach (int i in body) t = twin.Step(t, i)!.Value.State;
            var c = Arm64Space.Start(V, p);
            Assert.Equal(Project(t), Project(c));
            Walk(p, c, t, [], false);
        }
        output.WriteLine($"L={length} D={depth}: {nodes:N0} action sequences compared, {stepOne:N0} with STEP-ONE violated");

        void Walk(GuestProgram p, Ctx c, TwinState t, ImmutableList<int> path, bool bad)
        {
            if (t.Depth == depth)
            {
                // A leaf: the model's STEP-ONE monitor on the whole trace against the twin's assertion.
                var trace = new Trace("arm64", Trace.FullProfile, $"kvmspec model {V.Id}", p, GuestProgram.Base, [.. c.Out], new Vcpu().PSTATE.Encode());
                bool modelBad = Judge.Violations(trace).Any(v => v.Invariant == "STEP-ONE");
                Assert.True(modelBad == bad, $"{p}: actions {string.Join(",", path)}: STEP-ONE model {modelBad}, twin {bad}");
                if (bad) stepOne++;
                return;
            }
            for (int a = 0; a < Actions.Length; a++)
            {
                var o = twin.Step(t, SpinTwin.SetStep + a);
                Assert.NotNull(o);
                var c2 = Simulator.Settle(Simulator.Apply(c, Actions[a], V));
                nodes++;
                var want = Project(c2);
                var got = Project(o.Value.State);
                if (want != got)
                    Assert.Fail($"{p}: after actions {string.Join(",", path.Add(a))}:\n model {want}\n twin  {got}");
                Walk(p, c2, o.Value.State, path.Add(a), bad || o.Value.Found is { Count: > 0 });
            }
        }
    }

    [Fact]
    public void BfsGivesTheSameResultForAnyThreadCountOnTheModel()
    {
        var space = Arm64Space.For(V, 1);
        var results = new[] { 1, 2, 3 }.Select(t => Bfs.Run(space, new Bound(2, 1_000_000, t))).ToList();
        foreach (var r in results.Skip(1))
        {
            Assert.Equal(results[0].States, r.States);
            Assert.Equal(results[0].Transitions, r.Transitions);
            Assert.Equal(results[0].StatesPerLevel, r.StatesPerLevel);
            Assert.Equal(results[0].Findings.Keys.Order(StringComparer.Ordinal), r.Findings.Keys.Order(StringComparer.Ordinal));
            foreach (var (k, f) in results[0].Findings)
            {
                Assert.Equal(f.Path.Initial, r.Findings[k].Path.Initial);
                Assert.Equal(f.Path.Actions, r.Findings[k].Path.Actions);
            }
        }
        // Truncated by MaxStates part-way through a level: the same prefix is kept whatever the thread count.
        var cut = new[] { 1, 2 }.Select(t => Bfs.Run(space, new Bound(2, 300, t))).ToList();
        Assert.True(cut[0].Truncated);
        Assert.Equal(cut[0].States, cut[1].States);
        Assert.Equal(cut[0].Transitions, cut[1].Transitions);
        Assert.Equal(cut[0].Findings.Keys.Order(StringComparer.Ordinal), cut[1].Findings.Keys.Order(StringComparer.Ordinal));
        output.WriteLine($"{results[0].States:N0} states, {results[0].Transitions:N0} transitions, findings {string.Join(", ", results[0].Findings.Keys)}");
    }

    [Theory]
    [InlineData(3, 4, 3_883)]
    [InlineData(4, 5, 26_983)]
    [InlineData(3, 8, 15_605)]
    public void TwinCountsWhatSpinStores(int length, int depth, long spinStatesStored)
    {
        // "states, stored" of pan (spin -o2 -DL -DD -a arm64_step.pml; gcc -DNOREDUCE -DSAFETY; pan -c0).
        var one = Bfs.Run(new SpinTwin(length, depth), new Bound(length + depth, int.MaxValue, 1));
        var two = Bfs.Run(new SpinTwin(length, depth), new Bound(length + depth, int.MaxValue, 2));
        Assert.Equal(spinStatesStored, one.States);
        Assert.Equal(one.States, two.States);
        Assert.Equal(one.Transitions, two.Transitions);
        Assert.Equal(one.StatesPerLevel, two.StatesPerLevel);
        Assert.Empty(one.Findings);
    }
}
