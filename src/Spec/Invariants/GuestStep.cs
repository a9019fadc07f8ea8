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

    /// <summary>The full-profile monitor.</summary>
    public static Monitor Start(JudgeContext c) => new Full(c);

    private sealed class Full(JudgeContext c) : Monitor(Id, c)
    {
        // The step state at the last instruction boundary: an instruction's own register writes
        // (recorded before its retirement) do not change the state it started in.
        private bool pendingAtBoundary;

        public override void Observe(int i, TraceEvent ev)
        {
            if (ev is Retired { Completion: false } r && !View.HostDebugging && pendingAtBoundary)
                Report("missed", i, $"0x{r.Pc:X} {r.Insn} retired (by {r.By}) while the guest's own software step was active-pending: its step exception was due first");
        }

        public override void AfterView(int i, TraceEvent ev)
        {
            if (ev is Retired or ExceptionTaken or SetOneReg or Entered or Migrate)
                pendingAtBoundary = View.OwnStep == StepState.ActivePending;
        }
    }
}
