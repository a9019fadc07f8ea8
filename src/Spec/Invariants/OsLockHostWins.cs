using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>OSLOCK-HOST-WINS: the guest's OS Lock never blocks the host's own debugging: with
/// KVM_GUESTDBG_SINGLESTEP each guest entry still retires at most one instruction before the step
/// exception, and with KVM_GUESTDBG_USE_HW the host's breakpoint still fires.</summary>
/// <remarks>
/// Paths: <c>step</c> (while the host single-steps and the guest's lock is set, the hardware
/// retires two instructions within one guest entry: a step exception was blocked), <c>breakpoint</c>
/// (while the lock is set, the hardware retires the instruction at the host's USE_HW breakpoint).
/// Entries are the trace's <c>entered</c> observations (the kvm_entry tracepoint); a trace without
/// them cannot be judged on <c>step</c>.
/// </remarks>
public static class OsLockHostWins
{
    public const string Id = "OSLOCK-HOST-WINS";

    /// <summary>The full-profile monitor.</summary>
    public static Monitor Start(JudgeContext c) => new Full(c);

    private sealed class Full(JudgeContext c) : Monitor(Id, c)
    {
        private bool sawEntry, guestWroteMdscr, enteredThisRun, entriesMissing;
        private int retiredThisEntry;

        public override void Observe(int i, TraceEvent ev)
        {
            bool locked = View.Oslk == true;
            switch (ev)
            {
                case Entered:
                    sawEntry = enteredThisRun = true;
                    retiredThisEntry = 0;
                    guestWroteMdscr = false;
                    break;
                case Run or Exit or RunFailed:
                    retiredThisEntry = 0;
                    enteredThisRun = false;
                    break;
                case GuestRegWrite { Reg: Kvm.SysReg.MDSCR_EL1 }:
                    // The guest's own MSR MDSCR_EL1 reaching the hardware (before v6.14) changes the
                    // host's step configuration itself: STEP-ONE's finding, not the lock's.
                    guestWroteMdscr = true;
                    break;
                case Retired { By: RetiredBy.Hardware } r:
                    // The hardware ran guest code in a KVM_RUN with no entry recorded: the producer does not record entries.
                    entriesMissing |= !enteredThisRun;
                    retiredThisEntry++;
                    if (locked && View.HostStepping && sawEntry && enteredThisRun && retiredThisEntry == 2 && !guestWroteMdscr)
                        Report("step", i, $"0x{r.Pc:X} is the second instruction the hardware retired in one guest entry while the host single-steps: the guest's OS Lock blocked the host's step exception");
                    if (locked && View.IsHostBreakpoint(r.Pc))
                        Report("breakpoint", i, $"the instruction at the host's hardware breakpoint 0x{r.Pc:X} retired: the guest's OS Lock blocked the host's breakpoint");
                    break;
            }
        }

        public override Verdict Finish() =>
            Total == 0 && entriesMissing
                ? Verdict.NotCheckable(Id, "the guest ran in a KVM_RUN without an entered record before it: the trace does not record guest entries, so the step path cannot be judged")
                : base.Finish();
    }
}
