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

    public static Verdict Check(Trace.Trace t)
    {
        var v = new List<Violation>();
        var view = new GuestView(t);
        foreach (var (i, ev) in t.Observable())
        {
            switch (ev)
            {
                case GetOneReg { Reg: OneReg.PSTATE } g when (PSTATE.Decode(g.Value)?.SS ?? false) && view.SS == false:
                    v.Add(new Violation(Id, "userspace", i, "KVM_GET_ONE_REG(pstate) shows SS=1, which the guest never set: it is the host's step bit"));
                    break;
                case ExceptionTaken x when x.Spsr.SS && view.SS == false:
                    v.Add(new Violation(Id, "frame", i, $"the exception to 0x{x.Vector:X} saved SPSR_EL1.SS=1, the host's step bit, into the guest's frame"));
                    break;
                case GuestRegRead { Reg: SysReg.MDSCR_EL1 } r when MDSCR_EL1.Decode(r.Value).SS && !view.Mdscr.SS:
                    v.Add(new Violation(Id, "sysreg", i, $"the guest reads MDSCR_EL1=0x{r.Value:X} with SS=1, which it never set: the host's step configuration"));
                    break;
            }
            view.Apply(ev);
        }
        return Verdict.Of(Id, v);
    }
}
