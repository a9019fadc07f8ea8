using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>NO-LEAK: the host's step state never appears in guest-visible or VMM-visible guest state.</summary>
/// <remarks>
/// A set SS bit is the host's when the guest's own could not be set: the <see cref="GuestView"/>
/// (the guest's own MDSCR_EL1 and PSTATE.SS, as its writes, exceptions and userspace's writes set
/// them) has it clear. Paths: <c>userspace</c> (KVM_GET_ONE_REG of PSTATE), <c>sysreg</c> (a guest
/// read of MDSCR_EL1), <c>frame</c> (SPSR_EL1.SS saved on an exception entry into the guest). The
/// check errs towards "no leak": a 0 where the guest had a 1 is not reported here, nor anything
/// while the guest's own PSTATE.SS is unknown.
/// </remarks>
public static class NoLeak
{
    public const string Id = "NO-LEAK";

    /// <summary>The full-profile monitor.</summary>
    public static Monitor Start(JudgeContext c) => new Full(c);

    private sealed class Full(JudgeContext c) : Monitor(Id, c)
    {
        public override void Observe(int i, TraceEvent ev)
        {
            switch (ev)
            {
                case GetOneReg { Reg: OneReg.PSTATE } g when (PSTATE.Decode(g.Value)?.SS ?? false) && View.SS == false:
                    Report("userspace", i, "KVM_GET_ONE_REG(pstate) shows SS=1, which the guest never set: it is the host's step bit");
                    break;
                case ExceptionTaken x when x.Spsr.SS && View.SS == false:
                    Report("frame", i, $"the exception to 0x{x.Vector:X} saved SPSR_EL1.SS=1, the host's step bit, into the guest's frame");
                    break;
                case GuestRegRead { Reg: SysReg.MDSCR_EL1 } r when MDSCR_EL1.Decode(r.Value).SS && !View.Mdscr.SS:
                    Report("sysreg", i, $"the guest reads MDSCR_EL1=0x{r.Value:X} with SS=1, which it never set: the host's step configuration");
                    break;
            }
        }
    }

    /// <summary>The step-log monitor: with the header's <c>guest_self_debug: false</c> (the guest never
    /// sets its own step bit), a step bit saved in a recorded exception frame (<c>frame</c>) or shown in
    /// the guest's flags as the debugger read them (<c>userspace</c>) is the host's. Without that
    /// statement, or without frames or flags in the log, it is not checkable; <c>sysreg</c> never is.</summary>
    public static Monitor StartStepLog(JudgeContext c) =>
        c.Header.GuestSelfDebug is false ? new StepLog(c)
            : Monitor.NotCheckable(Id, c, "step log: the header does not say guest_self_debug: false, so a step bit in a frame or in the flags may be the guest's own");

    private sealed class StepLog(JudgeContext c) : Monitor(Id, c)
    {
        private int frames, flags;

        public override void Observe(int i, TraceEvent ev)
        {
            if (ev is not StepRecord s) return;
            if (s.Exception is { SavedStep: { } saved } x)
            {
                frames++;
                if (saved) Report("frame", i, $"the step from 0x{s.Pc:X} entered the vector 0x{x.Vector:X} with the step bit saved in the guest's frame; the guest does not debug itself, so it is the host's");
            }
            if (s.Flags is { } f)
            {
                flags++;
                if (PSTATE.Decode(f)?.SS ?? false)
                    Report("userspace", i, $"after the step from 0x{s.Pc:X} the debugger reads pstate=0x{f:X} with SS=1; the guest does not debug itself, so it is the host's step bit");
            }
        }

        public override Verdict Finish() =>
            Total > 0 ? base.Finish()
            : frames + flags == 0 ? Verdict.NotCheckable(Id, "the step log records neither saved step bits nor flags")
            : Verdict.NotCheckable(Id, $"no leak in {frames} recorded frames and {flags} flag readings; the sysreg path{(frames == 0 ? " and the frame path" : "")}{(flags == 0 ? " and the userspace path" : "")} need observations a step log does not have");
    }
}
