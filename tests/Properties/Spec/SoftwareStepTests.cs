using FsCheck;
using FsCheck.Fluent;
using Kvmspec.Properties.Support;
using Kvmspec.Spec.Arm64;
using Xunit;
using Xunit.Abstractions;

namespace Kvmspec.Properties.Spec;

/// <summary>Claims about the Arm software-step pseudocode as the Spec encodes it.</summary>
public class SoftwareStepTests(ITestOutputHelper output)
{
    private static readonly Arbitrary<(MDSCR_EL1 M, PSTATE P, bool En)> States = Arb.From(
        from m in Gens.Mdscrs.Generator
        from p in Gens.Pstates.Generator
        from en in ArbMap.Default.GeneratorFor<bool>()
        select (m, p, en));

    private static readonly Arbitrary<(MDSCR_EL1 M, PSTATE P, bool En)> ActiveNotPending = Arb.From(
        States.Generator.Select(x => (x.M with { SS = true }, x.P with { SS = true }, true)));

    [Fact]
    public void SSAdvance_WhenActiveNotPending_MakesStepPending() =>
        Props.Check(ActiveNotPending, x =>
            (SoftwareStep.StateOf(x.M, x.En, SoftwareStep.SSAdvance(x.M, x.P)) == StepState.ActivePending)
                .Label($"mdscr={x.M} pstate={x.P} enabled={x.En}")
                .Classify(x.P.EL == ExceptionLevel.EL0, "from EL0"), output);

    [Fact]
    public void SSAdvance_OutsideActiveNotPending_ChangesNothing() =>
        Props.Check(States, x =>
            (SoftwareStep.SSAdvance(x.M, x.P) == x.P)
                .When(SoftwareStep.StateOf(x.M, true, x.P) != StepState.ActiveNotPending)
                .Label($"mdscr={x.M} pstate={x.P}"), output);

    [Fact]
    public void SSAdvance_WhenStepDisabledInMdscr_ChangesNothing() =>
        Props.Check(States, x => (SoftwareStep.SSAdvance(x.M with { SS = false }, x.P) == x.P).Label($"pstate={x.P}"), output);

    [Fact]
    public void CheckSoftwareStep_FiresExactly_InActivePending() =>
        Props.Check(States, x =>
            (SoftwareStep.CheckSoftwareStep(x.M, x.En, x.P) == (SoftwareStep.StateOf(x.M, x.En, x.P) == StepState.ActivePending))
                .Label($"mdscr={x.M} pstate={x.P} enabled={x.En}")
                .Classify(SoftwareStep.StateOf(x.M, x.En, x.P) == StepState.ActivePending, "active-pending"), output);

    [Fact]
    public void DebugExceptionReturnSS_CopiesSpsrSS_OnlyFromDisabledToEnabledWithMdscrSS() =>
        Props.Check(Arb.From(
                from spsr in ArbMap.Default.GeneratorFor<bool>()
                from m in Gens.Mdscrs.Generator
                from src in ArbMap.Default.GeneratorFor<bool>()
                from dst in ArbMap.Default.GeneratorFor<bool>()
                select (spsr, m, src, dst)),
            x => (SoftwareStep.DebugExceptionReturnSS(x.spsr, x.m, x.src, x.dst) == (x.m.SS && !x.src && x.dst && x.spsr))
                .Label($"{x}"), output);

    [Fact]
    public void ExceptionEntry_ClearsSS_AndMasksDebug() =>
        Props.Check(Gens.Pstates, p =>
        {
            var after = Exceptions.TakeException(p, ExceptionLevel.EL1);
            return (!after.SS && after.D && after.A && after.I && after.EL == ExceptionLevel.EL1).Label($"{p} -> {after}");
        }, output);

    [Fact]
    public void HostStepViaTde_IsEnabledFromGuestEl1_WhateverKdeAndD() =>
        Props.Check(Arb.From(from m in Gens.Mdscrs.Generator from d in ArbMap.Default.GeneratorFor<bool>() select (m, d)),
            x => DebugExceptions.GenerateDebugExceptionsFrom(ExceptionLevel.EL1, x.d, x.m, new MDCR_EL2(TDE: true, TDA: true), OSLK: false)
                .Label($"{x}"), output);

    [Fact]
    public void OsLock_DisablesEveryDebugException() =>
        Props.Check(Arb.From(from m in Gens.Mdscrs.Generator from p in Gens.Pstates.Generator from tde in ArbMap.Default.GeneratorFor<bool>() select (m, p, tde)),
            x => (!DebugExceptions.GenerateDebugExceptions(x.p, x.m, new MDCR_EL2(x.tde, true), OSLK: true)).Label($"{x}"), output);

    [Fact]
    public void SameElDebug_NeedsKdeAndUnmaskedD()
    {
        var noTde = new MDCR_EL2(TDE: false, TDA: false);
        Assert.True(DebugExceptions.GenerateDebugExceptionsFrom(ExceptionLevel.EL1, false, new MDSCR_EL1(false, KDE: true, false), noTde, false));
        Assert.False(DebugExceptions.GenerateDebugExceptionsFrom(ExceptionLevel.EL1, true, new MDSCR_EL1(false, KDE: true, false), noTde, false));
        Assert.False(DebugExceptions.GenerateDebugExceptionsFrom(ExceptionLevel.EL1, false, new MDSCR_EL1(false, KDE: false, false), noTde, false));
        Assert.True(DebugExceptions.GenerateDebugExceptionsFrom(ExceptionLevel.EL0, true, default, noTde, false));
    }
}
