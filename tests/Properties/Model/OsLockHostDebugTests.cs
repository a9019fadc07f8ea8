using Kvmspec.Model.Arm64;
using Kvmspec.Model.Exploration;
using Kvmspec.Properties.Support;
using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using FsCheck.Fluent;
using Xunit;
using Xunit.Abstractions;
using Action = Kvmspec.Model.Exploration.Action;
using Trace = Kvmspec.Spec.Trace.Trace;

namespace Kvmspec.Properties.Model;

/// <summary>What the kernel's own tests leave out (peer-scenarios-linux-selftests.md, gaps): the OS
/// Lock with host debugging, the OS Lock across migration, host USE_SW_BP and USE_HW on arm64, and
/// an interrupt arriving while the host steps. Each property runs against arm64/upstream and, where
/// a variant breaks it, shows that the property can fail.</summary>
public class OsLockHostDebugTests(ITestOutputHelper output)
{
    private static readonly Variant Upstream = Arm64Variants.Upstream;
    private static readonly Action Run = Action.Of(new Run());
    private static readonly Action Step = Action.Of(new SetGuestDebug(KvmGuestDebug.KVM_GUESTDBG_ENABLE | KvmGuestDebug.KVM_GUESTDBG_SINGLESTEP));
    private static readonly Instruction Lock = Instruction.Msr(SysReg.OSLAR_EL1, 1);

    private static Script LockedThenStepped(GuestProgram body, int steps)
    {
        // The guest locks in its first instruction (run unstepped up to the first exit or kick), then the host steps.
        var program = GuestProgram.Of([Lock, .. body.Body]);
        return new Script(program, [Step, .. Enumerable.Repeat(Run, steps)]);
    }

    [Fact]
    public void HostStep_OverAGuestHoldingItsOsLock_RetiresOneInstructionPerStep()
    {
        Props.Check(Gens.Programs, p =>
        {
            var t = Simulator.Execute(Upstream, LockedThenStepped(p, 12)).Trace;
            var bad = new[] { Arm64Invariants.OsLockHostWinsInvariant, Arm64Invariants.StepOneInvariant }
                .SelectMany(i => i.Check(t).Violations).Where(v => !Upstream.ExpectedViolations.Contains(v.Key)).ToList();
            return (bad.Count == 0).Label(bad.Count == 0 ? "" : $"{bad[0]}\n{LaneDiagram.Text(t, bad[0].EventIndex)}");
        }, output, maxTest: 200);
    }

    [Fact]
    public void HostStep_OverAGuestHoldingItsOsLock_IsBlockedWhenTheLockIsInTheHardware()
    {
        var p = GuestProgram.Of(new Instruction(InstructionKind.Nop), new Instruction(InstructionKind.Nop), new Instruction(InstructionKind.Nop));
        var t = Simulator.Execute(Arm64Variants.ProposalOslockHardware, LockedThenStepped(p, 3)).Trace;
        Assert.Contains(Arm64Invariants.OsLockHostWinsInvariant.Check(t).Violations, v => v.Key == "OSLOCK-HOST-WINS:step");
        var u = Simulator.Execute(Upstream, LockedThenStepped(p, 3)).Trace;
        Assert.Empty(Arm64Invariants.OsLockHostWinsInvariant.Check(u).Violations);
    }

    [Theory]
    [InlineData("arm64/upstream", false)]
    [InlineData("arm64/v5.18", false)]
    [InlineData("arm64/proposal-oslock-hardware", true)]
    public void UseHwBreakpoint_FiresWhileTheGuestHoldsItsOsLock(string id, bool blocked)
    {
        var v = Arm64Variants.Find(id)!;
        var program = GuestProgram.Of(Lock, new Instruction(InstructionKind.Nop), new Instruction(InstructionKind.Nop));
        ulong bp = GuestProgram.Base + 8;
        var script = new Script(program, [Run, Action.Of(new SetGuestDebug(KvmGuestDebug.KVM_GUESTDBG_ENABLE | KvmGuestDebug.KVM_GUESTDBG_USE_HW, bp)), Run, Run]);
        var t = Simulator.Execute(v, script).Trace;
        bool exitAtBp = t.Events.OfType<Exit>().Any(x => x is { Reason: KvmExitReason.KVM_EXIT_DEBUG, Payload: DebugPayload d } && x.Pc == bp && ESR_ELx.Decode(d.Arch.hsr).EC == ExceptionClass.BREAKPT_LOW);
        Assert.Equal(!blocked, exitAtBp);
        Assert.Equal(blocked, Arm64Invariants.OsLockHostWinsInvariant.Check(t).Violations.Any(x => x.Key == "OSLOCK-HOST-WINS:breakpoint"));
    }

    [Fact]
    public void UseSwBp_TheBrkExitsToTheVmm_EvenWhileTheGuestHoldsItsOsLock_AndThePcStaysAtTheBrk()
    {
        // The VMM's software breakpoint is a BRK in guest memory; with guest_debug set, TDE routes it to
        // EL2 and KVM reports KVM_EXIT_DEBUG (EC BRK64) at the BRK, lock or no lock (handle_exit.c).
        foreach (var locked in new[] { false, true })
        {
            var program = GuestProgram.Of(Instruction.Msr(SysReg.OSLAR_EL1, locked ? 1UL : 0), new Instruction(InstructionKind.Brk));
            var script = new Script(program, [Action.Of(new SetGuestDebug(KvmGuestDebug.KVM_GUESTDBG_ENABLE | KvmGuestDebug.KVM_GUESTDBG_USE_SW_BP)), Run, Run]);
            var t = Simulator.Execute(Upstream, script).Trace;
            var exits = t.Events.OfType<Exit>().Where(x => x.Reason == KvmExitReason.KVM_EXIT_DEBUG).ToList();
            Assert.Equal(2, exits.Count);
            Assert.All(exits, x => Assert.Equal(GuestProgram.Base + 4, x.Pc));
            Assert.All(exits, x => Assert.Equal(ExceptionClass.BRK64, ESR_ELx.Decode(((DebugPayload)x.Payload!).Arch.hsr).EC));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OsLock_SurvivesMigration_WithinAReleaseThatListsOslsr(bool locked)
    {
        var program = GuestProgram.Of(Instruction.Msr(SysReg.OSLAR_EL1, locked ? 1UL : 0), Instruction.Mrs(SysReg.OSLSR_EL1));
        var t = Simulator.Execute(Upstream, new Script(program, [Run, new MigrateAction(), Run])).Trace;
        var reads = t.Events.OfType<GuestRegRead>().Where(r => r.Reg == SysReg.OSLSR_EL1).Select(r => OSLSR_EL1.Decode(r.Value).OSLK).Distinct().ToList();
        Assert.Equal([locked], reads);
        Assert.Empty(Arm64Invariants.MigratePreservesInvariant.Check(t).Violations);
        Assert.Contains(t.Events, e => e is SetOneReg { Reg: OneReg.OSLSR_EL1, Error: null });
    }

    [Theory]
    [InlineData("arm64/upstream", false)]
    [InlineData("arm64/v5.18", false)]
    [InlineData("arm64/proposal-oslk-reset-1", true)]
    public void OsLock_AcrossMigrationFromAListWithoutOslsr_KeepsTheGuestUnlocked_UnlessItResetsLocked(string id, bool violates)
    {
        var v = Arm64Variants.Find(id)!;
        var program = GuestProgram.Of(Instruction.Mrs(SysReg.OSLSR_EL1), new Instruction(InstructionKind.Nop));
        var t = Simulator.Execute(v, new Script(program, [Run, new MigrateAction(FromOlder: true), Run])).Trace;
        Assert.Contains(t.Events, e => e is Migrate { Source: "arm64/v5.13" });
        Assert.DoesNotContain(t.Events, e => e is SetOneReg { Reg: OneReg.OSLSR_EL1 });
        Assert.Equal(violates, Arm64Invariants.MigratePreservesInvariant.Check(t).Violations.Any());
    }

    [Fact]
    public void GuestInterrupt_WhileTheHostSteps_StopsTheStepAtTheVector_BeforeTheHandlerRuns()
    {
        // An IRQ pending at a step boundary: the guest takes it (the step does not run an instruction
        // of the body), and the step exits before the handler's first instruction, ISV=0.
        int reached = 0;
        Props.Check(Gens.Programs, p =>
        {
            var script = new Script(p, [Step, Run, Action.Of(new InterruptPending(IrqTarget.Guest)), Run, Run]);
            var t = Simulator.Execute(Upstream, script).Trace;
            int taken = t.Events.ToList().FindIndex(e => e is ExceptionTaken { Vector: var vec } && vec == GuestProgram.Vbar + VectorOffset.CurrentSpxIrq);
            if (taken < 0) return true.Label("the IRQ was not taken in these runs (masked or exited first)");
            reached++;
            var next = t.Events.Skip(taken + 1).FirstOrDefault(e => e is Exit or Retired or RunFailed);
            bool ok = next is Exit { Reason: KvmExitReason.KVM_EXIT_DEBUG, Payload: DebugPayload d } x
                && x.Pc == GuestProgram.Vbar + VectorOffset.CurrentSpxIrq && !ESR_ELx.Decode(d.Arch.hsr).ISV;
            return ok.Label($"after the IRQ entry the next event is {next?.Describe()}\n{LaneDiagram.Text(t, taken)}");
        }, output, maxTest: 150);
        Assert.True(reached >= 30, $"the IRQ was taken under step in only {reached} of 150 programs");
    }

    [Fact]
    public void HostStepping_ChangesNothingANonDebuggingGuestComputes()
    {
        // TRANSPARENT for a guest that does not debug itself: the same program, run with and without
        // host single-step (no asynchronous events, MMIO loads answered with the same data), retires
        // the same instructions with the same data and takes the same exceptions, up to the shorter run.
        Props.Check(Gens.Programs, p =>
        {
            if (p.Body.Any(i => i.Kind is InstructionKind.MsrImm or InstructionKind.MrsReg or InstructionKind.MrsMdscr or InstructionKind.Brk
                    or InstructionKind.MmioNoIsv or InstructionKind.GicV2CpuIfFault))
                return true.Label("self-debug, MDSCR_EL1 reads (NO-LEAK's), BRK (TRANSPARENT:diverted), NISV and SError paths are out of scope");
            List<Action> loop = [.. Enumerable.Range(0, 40).SelectMany(_ => new[] { Run, Action.Of(new CompleteMmio(0x42)) })];
            var plain = Guest(Simulator.Execute(Upstream, new Script(p, [Action.Of(new CompleteMmio(0x42)), .. loop])).Trace);
            var stepped = Guest(Simulator.Execute(Upstream, new Script(p, [Action.Of(new CompleteMmio(0x42)), Step, .. loop])).Trace);
            int n = Math.Min(plain.Count, stepped.Count);
            int diff = Enumerable.Range(0, n).FirstOrDefault(i => plain[i] != stepped[i], -1);
            return (diff < 0 && n > 0).Label(diff < 0 ? "no guest events" : $"event {diff}: unstepped {plain[diff]} vs stepped {stepped[diff]}");
        }, output, maxTest: 150);
    }

    /// <summary>What the guest computes: retirements (PC, next PC, data) and exceptions (vector, class, return address).</summary>
    private static List<string> Guest(Trace t) =>
        [.. t.Events.Select(e => e switch
        {
            Retired r => $"retire 0x{r.Pc:X}->0x{r.NextPc:X} {r.Data}",
            ExceptionTaken x => $"exception 0x{x.Vector:X} {x.Esr?.EC} elr=0x{x.Elr:X}",
            _ => null,
        }).OfType<string>()];
}
