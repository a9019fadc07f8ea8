using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>MIGRATE-PRESERVES: saving a vCPU with KVM_GET_REG_LIST / KVM_GET_ONE_REG and restoring it
/// with KVM_SET_ONE_REG on the destination preserves the guest's state, including what the source's
/// register list did not carry.</summary>
/// <remarks>
/// Paths: <c>register</c> (after a migration, the destination reads back a register differently
/// from the source's value, or, for a register the source did not list, differently from what the
/// guest last saw of it on the source: for OSLSR_EL1 its OSLK), <c>guest-view</c> (a guest read of a debug
/// register after a migration differs from the guest's last read or write of it before, with no
/// guest write in between; MDSCR_EL1 is left to NO-LEAK, whose host bits it may show).
/// </remarks>
public static class MigratePreserves
{
    public const string Id = "MIGRATE-PRESERVES";

    /// <summary>The full-profile monitor.</summary>
    public static Monitor Start(JudgeContext c) => new Full(c);

    private sealed class Full(JudgeContext c) : Monitor(Id, c)
    {
        private readonly Dictionary<OneReg, ulong> sourceValues = [];
        private readonly Dictionary<SysReg, (ulong Value, int Migrations)> guestSeen = [];
        private bool? guestOslk;
        private bool afterMigrate, readingBack;

        public override void Observe(int i, TraceEvent ev)
        {
            if (ev is GetOneReg && afterMigrate) readingBack = true;
            if (afterMigrate && (ev is not (GetRegList or GetOneReg or SetOneReg or EnableCap) || (readingBack && ev is not GetOneReg)))
            {
                readingBack = false;
                // The restore is the destination's register writes, then its read-backs; anything
                // else (or a write after a read-back) ends it: later reads are the destination's own.
                afterMigrate = false;
                sourceValues.Clear();
            }
            switch (ev)
            {
                case GetOneReg g when !afterMigrate:
                    sourceValues[g.Reg] = g.Value;
                    break;
                case Migrate:
                    afterMigrate = true;
                    break;
                case GetRegList when !afterMigrate:
                    sourceValues.Clear();
                    break;
                case GetRegList:
                    break;
                case GetOneReg g when afterMigrate:
                    if (sourceValues.TryGetValue(g.Reg, out var was))
                    {
                        if (!Same(g.Reg == OneReg.OSLSR_EL1, was, g.Value))
                            Report("register", i, $"{g.Reg} reads 0x{g.Value:X} on the destination, 0x{was:X} on the source");
                    }
                    else if (g.Reg == OneReg.OSLSR_EL1 && guestOslk is { } k && OSLSR_EL1.Decode(g.Value).OSLK != k)
                    {
                        Report("register", i, $"OSLSR_EL1 was not in the source's register list; the destination has OSLK={(k ? 0 : 1)} where the guest's lock was {(k ? 1 : 0)}");
                    }
                    break;
                case GuestRegRead r when r.Reg != SysReg.MDSCR_EL1:
                    if (guestSeen.TryGetValue(r.Reg, out var seen) && seen.Migrations < View.Migrations && !Same(r.Reg == SysReg.OSLSR_EL1, seen.Value, r.Value))
                        Report("guest-view", i, $"the guest reads {r.Reg} = 0x{r.Value:X} after the migration, 0x{seen.Value:X} before");
                    guestSeen[r.Reg] = (r.Value, View.Migrations);
                    if (r.Reg == SysReg.OSLSR_EL1) guestOslk = OSLSR_EL1.Decode(r.Value).OSLK;
                    break;
                case GuestRegWrite w:
                    guestSeen.Remove(w.Reg);
                    // What the guest wrote is what it meant, not what the source holds (older KVM ignores
                    // OSLAR_EL1 writes): the source's lock is known again from the guest's next read.
                    if (w.Reg == SysReg.OSLAR_EL1) { guestSeen.Remove(SysReg.OSLSR_EL1); guestOslk = null; }
                    break;
            }
        }
    }

    /// <summary>Whether two values of a register agree; of OSLSR_EL1 only OSLK is the guest's state
    /// (OSLM and nTT are fixed per implementation).</summary>
    private static bool Same(bool isOslsr, ulong a, ulong b) =>
        isOslsr ? OSLSR_EL1.Decode(a).OSLK == OSLSR_EL1.Decode(b).OSLK : a == b;
}
