using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>NO-LEAK: the host's step state never appears in guest-visible or VMM-visible guest state.</summary>
/// <remarks>
/// A set SS bit is the host's when the guest's own could not be set: the guest's software step is
/// inactive (its own MDSCR_EL1.SS is 0) and userspace has not written PSTATE.SS=1 since the guest's
/// last exception entry. Paths: <c>userspace</c> (KVM_GET_ONE_REG of PSTATE), <c>sysreg</c> (a guest
/// read of MDSCR_EL1), <c>frame</c> (SPSR_EL1.SS saved on an exception entry into the guest).
/// SIMPLIFICATION (until guest-owned debug is modelled): the guest never sets its own MDSCR_EL1.SS,
/// so its own PSTATE.SS can only come from userspace. The check errs towards "no leak": a 0 where
/// the guest had a 1 is not reported here.
/// </remarks>
public static class NoLeak
{
    public const string Id = "NO-LEAK";

    public static Verdict Check(Trace.Trace t)
    {
        var v = new List<Violation>();
        bool guestOwnSS = false, guestOwnMdscrSS = false;
        foreach (var (i, ev) in t.Observable())
        {
            switch (ev)
            {
                case SetOneReg { Reg: CoreReg.PSTATE } s:
                    guestOwnSS = PSTATE.Decode(s.Value)?.SS ?? false;
                    break;
                case GetOneReg { Reg: CoreReg.PSTATE } g when (PSTATE.Decode(g.Value)?.SS ?? false) && !guestOwnSS:
                    v.Add(new Violation(Id, "userspace", i, "KVM_GET_ONE_REG(pstate) shows SS=1, which the guest never set: it is the host's step bit"));
                    break;
                case ExceptionTaken x:
                    if (x.Spsr.SS && !guestOwnSS)
                        v.Add(new Violation(Id, "frame", i, $"the exception to 0x{x.Vector:X} saved SPSR_EL1.SS=1, the host's step bit, into the guest's frame"));
                    guestOwnSS = false;
                    break;
                case GuestRegRead { Reg: SysReg.MDSCR_EL1 } r when MDSCR_EL1.Decode(r.Value).SS && !guestOwnMdscrSS:
                    v.Add(new Violation(Id, "sysreg", i, $"the guest reads MDSCR_EL1=0x{r.Value:X} with SS=1, which it never set: the host's step configuration"));
                    break;
            }
        }
        return Verdict.Of(Id, v);
    }
}
