using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>GUEST-STEP: a guest that single-steps itself (MDSCR_EL1.SS and KDE, PSTATE.D clear, OS
/// Lock clear), while the host does not debug it, takes a software-step exception after exactly one
/// instruction, and before any instruction when stepping becomes active with PSTATE.SS = 0.</summary>
/// <remarks>
/// Path <c>missed</c>: an instruction retires (by the hardware, KVM or the VMM) while the guest's
/// own step is active-pending in the <see cref="GuestView"/>: its step exception was due first. A
/// retirement while the guest's PSTATE.SS is unknown is not judged. The state is taken at the
/// instruction boundary: the instruction that turns stepping on is not itself stepped.
/// SIMPLIFICATION: the completion of an access that exited to userspace is not judged; its step
/// state was checked when the access started, which a trace does not show (REENTRY-COMPLETES judges
/// completions).
/// </remarks>
public static class GuestStep
{
    public const string Id = "GUEST-STEP";

    public static Verdict Check(Trace.Trace t)
    {
        var v = new List<Violation>();
        var view = new GuestView(t);
        // The step state at the last instruction boundary: an instruction's own register writes
        // (recorded before its retirement) do not change the state it started in.
        bool pendingAtBoundary = false;
        foreach (var (i, ev) in t.Observable())
        {
            if (ev is Retired { Completion: false } r && !view.HostDebugging && pendingAtBoundary)
                v.Add(new Violation(Id, "missed", i, $"0x{r.Pc:X} {r.Insn} retired (by {r.By}) while the guest's own software step was active-pending: its step exception was due first"));
            view.Apply(ev);
            if (ev is Retired or ExceptionTaken or SetOneReg or Entered or Migrate)
                pendingAtBoundary = view.OwnStep == StepState.ActivePending;
        }
        return Verdict.Of(Id, v);
    }
}
