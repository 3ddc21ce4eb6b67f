//! Index arenas: a `Vec` of slots with a free list and a generation per slot, so that a
//! handle held by a pending event can tell whether its slot was reused, and an owner
//! per slot, so that a crash can find its replica's records without reading them all.

pub const NONE: u32 = u32::MAX;

/// A slot: the item and its generation side by side, so that checking an event's
/// generation and reading the item touch one cache line. `A` sets the slot's alignment
/// without adding bytes (see [`Line`]).
struct Slot<T, A> {
    _align: [A; 0],
    item: T,
    /// Even while the slot holds a live item, odd while it is free: freeing and reusing
    /// each move it on by one, invalidating pending events by two (see `bump`).
    gen: u32,
}

/// Alignment markers for slots whose size is a cache line or half of one: a 64-byte slot
/// aligned to 64 bytes is one line, never parts of two, so reading a record or scanning
/// the arena costs one line per record, not two. Zero-sized: `[Line; 0]` in a slot aligns
/// it and adds nothing.
#[repr(align(64))]
pub struct Line;
/// The same for 32-byte slots: two to a line, none across two.
#[repr(align(32))]
pub struct HalfLine;

impl<T, A> Slot<T, A> {
    fn is_live(&self) -> bool {
        self.gen.is_multiple_of(2)
    }
}

/// `GENS` keeps a copy of every slot's generation in a dense array of its own, for
/// arenas whose handles are often checked without reading the record (see `is_current`).
pub struct Arena<T, A = u8, const GENS: bool = false> {
    slots: Vec<Slot<T, A>>,
    free: Vec<u32>,
    live: usize,
    /// `slots[i].gen` again, 4 bytes a slot, when `GENS`; empty otherwise.
    gens: Vec<u32>,
    /// Who owns each slot (in the engine's arenas: a replica), packed: a crash finds the
    /// slots of its replica by scanning 4 bytes a slot instead of reading every record
    /// (see `live_slots_of`). A freed slot keeps its last owner: clearing it would cost
    /// every free a store, for the benefit of the rare crash.
    owners: Vec<u32>,
}

impl<T, A, const GENS: bool> Default for Arena<T, A, GENS> {
    fn default() -> Self {
        Arena {
            slots: Vec::new(),
            free: Vec::new(),
            live: 0,
            gens: Vec::new(),
            owners: Vec::new(),
        }
    }
}

impl<T, A, const GENS: bool> Arena<T, A, GENS> {
    /// A slot for `item`, belonging to `owner` until it is freed.
    #[inline(always)]
    pub fn alloc(&mut self, item: T, owner: u32) -> u32 {
        self.live += 1;
        if let Some(i) = self.free.pop() {
            let slot = &mut self.slots[i as usize];
            slot.item = item;
            slot.gen = slot.gen.wrapping_add(1);
            if GENS {
                self.gens[i as usize] = slot.gen;
            }
            self.owners[i as usize] = owner;
            i
        } else {
            self.slots.push(Slot {
                _align: [],
                item,
                gen: 0,
            });
            if GENS {
                self.gens.push(0);
            }
            self.owners.push(owner);
            (self.slots.len() - 1) as u32
        }
    }

    /// Release a slot; its generation moves on so that pending events for it go stale.
    #[inline]
    pub fn free(&mut self, i: u32) {
        let slot = &mut self.slots[i as usize];
        slot.gen = slot.gen.wrapping_add(1);
        if GENS {
            self.gens[i as usize] = slot.gen;
        }
        self.free.push(i);
        self.live -= 1;
    }

    /// Whose slot `i` is, or was last.
    pub fn owner(&self, i: u32) -> u32 {
        self.owners[i as usize]
    }

    #[inline]
    pub fn gen(&self, i: u32) -> u32 {
        self.slots[i as usize].gen
    }

    /// Whether `gen` is still slot `i`'s generation. With `GENS` this reads the dense
    /// copy, not the record: why? A stale handle (a reply for a caller that gave up, a
    /// timeout of a call long over) is dropped without touching the record's cache line,
    /// and the copies of thousands of slots fit where a few hundred records would.
    #[inline]
    pub fn is_current(&self, i: u32, gen: u32) -> bool {
        if GENS {
            self.gens[i as usize] == gen
        } else {
            self.gen(i) == gen
        }
    }

    /// Invalidate the events pending for a live slot, keeping the slot.
    #[inline]
    pub fn bump(&mut self, i: u32) -> u32 {
        let slot = &mut self.slots[i as usize];
        slot.gen = slot.gen.wrapping_add(2);
        if GENS {
            self.gens[i as usize] = slot.gen;
        }
        slot.gen
    }

    /// Ask the CPU to start loading slot `i` (item and generation) into the cache, for a
    /// record that will be read soon. A hint only: out of range does nothing. A slot that
    /// spans several cache lines (a call's) has each of them requested; the count is known
    /// at compile time, so a one-line slot costs one instruction.
    #[inline(always)]
    pub fn prefetch(&self, i: u32) {
        const LINE: usize = 64;
        let (size, align) = (size_of::<Slot<T, A>>(), align_of::<Slot<T, A>>());
        if let Some(slot) = self.slots.get(i as usize) {
            let start = (slot as *const Slot<T, A>).cast::<u8>();
            let mut offset = 0;
            while offset < size {
                prefetch_line(start.wrapping_add(offset));
                offset += LINE;
            }
            // Not aligned to a line, the slot may reach into one more.
            if align < LINE && size > align {
                prefetch_line(start.wrapping_add(size - 1));
            }
        }
    }

    /// Start loading slot `i`'s dense generation (with `GENS`), which `is_current` reads.
    #[inline(always)]
    pub fn prefetch_gen(&self, i: u32) {
        if let Some(gen) = self.gens.get(i as usize) {
            prefetch_line((gen as *const u32).cast::<u8>());
        }
    }

    pub fn live(&self) -> usize {
        self.live
    }

    /// Slots ever allocated (live or free): every index is below this.
    pub fn slots(&self) -> usize {
        self.slots.len()
    }

    /// Indices of live slots, in index order.
    pub fn live_indices(&self) -> impl Iterator<Item = u32> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_live())
            .map(|(i, _)| i as u32)
    }

    /// The live slots belonging to `owner`, in slot order.
    pub fn live_slots_of(&self, owner: u32) -> Vec<u32> {
        let mut found = self.slots_once_of(owner);
        // Many of the slots found were freed since. The records (cold, some untouched for
        // seconds) are loaded a few ahead of their liveness check, so that the misses
        // overlap instead of coming one after another; those kept are then in the cache
        // for the caller, who reads them all.
        const AHEAD: usize = 8;
        let mut kept = 0;
        for i in 0..found.len() {
            if let Some(&ahead) = found.get(i + AHEAD) {
                self.prefetch(ahead);
            }
            let slot = found[i];
            if self.slots[slot as usize].is_live() {
                found[kept] = slot;
                kept += 1;
            }
        }
        found.truncate(kept);
        found
    }

    /// The slots whose last owner is `owner`, live or freed since, in slot order. Why in
    /// blocks of 16? The owners are compared a block at a time into a bit mask, which the
    /// compiler turns into a few vector instructions: a crash scans every slot of three
    /// arenas, and matches are few.
    fn slots_once_of(&self, owner: u32) -> Vec<u32> {
        const BLOCK: usize = 16;
        let mut found = Vec::new();
        let blocks = self.owners.chunks_exact(BLOCK);
        let tail = blocks.remainder();
        for (block, owners) in blocks.enumerate() {
            let owners: &[u32; BLOCK] = owners.try_into().expect("a whole block");
            let mut mask = 0u32;
            for (i, &o) in owners.iter().enumerate() {
                mask |= u32::from(o == owner) << i;
            }
            while mask != 0 {
                found.push((block * BLOCK) as u32 + mask.trailing_zeros());
                mask &= mask - 1;
            }
        }
        let whole = self.owners.len() - tail.len();
        let in_tail = tail.iter().enumerate().filter(|&(_, &o)| o == owner);
        found.extend(in_tail.map(|(i, _)| (whole + i) as u32));
        found
    }
}

/// Start loading the cache line holding `value`. Why by hand? The cascade's records are
/// scattered over megabytes and read in chains (a reply reads the call, then its task,
/// then the job): issuing the load of a record known to be needed soon lets the misses
/// overlap instead of queueing one behind the other.
#[inline(always)]
fn prefetch_line(address: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `prefetcht0` is a hint: it never faults, even on an address outside the
    // program's memory, and reads nothing into the program.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(address.cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = address;
}

/// Values kept beside an arena's slots for the runs that need them (a traced request's
/// correlation id, a concurrency-limit ticket), so that the common record stays small.
/// Reading a slot never written gives `None`.
pub struct SlotTable<T> {
    values: Vec<Option<T>>,
}

impl<T> Default for SlotTable<T> {
    fn default() -> Self {
        SlotTable { values: Vec::new() }
    }
}

impl<T: Copy> SlotTable<T> {
    pub fn set(&mut self, slot: u32, value: Option<T>) {
        let i = slot as usize;
        if i >= self.values.len() {
            if value.is_none() {
                return;
            }
            self.values.resize_with(i + 1, || None);
        }
        self.values[i] = value;
    }

    #[inline]
    pub fn get(&self, slot: u32) -> Option<T> {
        self.values.get(slot as usize).copied().flatten()
    }

    #[inline]
    pub fn take(&mut self, slot: u32) -> Option<T> {
        self.values.get_mut(slot as usize).and_then(Option::take)
    }
}

impl<T, A, const GENS: bool> std::ops::Index<u32> for Arena<T, A, GENS> {
    type Output = T;
    #[inline]
    fn index(&self, i: u32) -> &T {
        &self.slots[i as usize].item
    }
}

impl<T, A, const GENS: bool> std::ops::IndexMut<u32> for Arena<T, A, GENS> {
    #[inline]
    fn index_mut(&mut self, i: u32) -> &mut T {
        &mut self.slots[i as usize].item
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment_markers_add_no_bytes() {
        assert_eq!(std::mem::size_of::<Slot<[u8; 60], Line>>(), 64);
        assert_eq!(std::mem::align_of::<Slot<[u8; 60], Line>>(), 64);
        assert_eq!(std::mem::size_of::<Slot<[u32; 7], HalfLine>>(), 32);
        assert_eq!(std::mem::size_of::<Slot<[u64; 14], u8>>(), 120);
    }

    #[test]
    fn reuse_moves_the_generation_on() {
        let mut a: Arena<i32> = Arena::default();
        let i = a.alloc(1, 0);
        let g = a.gen(i);
        a.free(i);
        let j = a.alloc(2, 0);
        assert_eq!(i, j);
        assert_ne!(a.gen(j), g);
        assert_eq!(a.live(), 1);
    }

    #[test]
    fn live_indices_skip_freed_slots_and_survive_bumps() {
        let mut a: Arena<char, Line> = Arena::default();
        let (x, y, z) = (a.alloc('x', 0), a.alloc('y', 0), a.alloc('z', 0));
        a.free(y);
        let g = a.gen(z);
        assert_ne!(a.bump(z), g);
        assert_eq!(a.live_indices().collect::<Vec<_>>(), vec![x, z]);
    }

    #[test]
    fn owners_find_live_slots_in_order_across_blocks() {
        let mut a: Arena<u32> = Arena::default();
        // 41 slots: two whole blocks of 16 and a partial one; owner 7 has a few of each.
        let owners: Vec<u32> = (0..41).map(|i| if i % 5 == 0 { 7 } else { 2 }).collect();
        let slots: Vec<u32> = owners.iter().map(|&k| a.alloc(k, k)).collect();
        let sevens: Vec<u32> = slots.iter().copied().filter(|&i| i % 5 == 0).collect();
        assert_eq!(a.live_slots_of(7), sevens);
        // A freed slot is not found, though it keeps its owner; reused, it is its new owner's.
        a.free(5);
        a.free(16);
        assert_eq!((a.owner(5), a.owner(16)), (7, 2));
        assert_eq!(a.live_slots_of(7), vec![0, 10, 15, 20, 25, 30, 35, 40]);
        assert_eq!(a.alloc(9, 7), 16);
        assert_eq!(a.live_slots_of(7), vec![0, 10, 15, 16, 20, 25, 30, 35, 40]);
        assert_eq!(a.live_slots_of(2).len(), 31);
        assert!(a.live_slots_of(3).is_empty());
    }

    #[test]
    fn the_dense_generations_follow_every_change() {
        let mut a: Arena<u8, u8, true> = Arena::default();
        let (x, y) = (a.alloc(1, 0), a.alloc(2, 0));
        let (gx, gy) = (a.gen(x), a.gen(y));
        a.free(x);
        let gz = a.bump(y);
        let z = a.alloc(3, 0);
        assert_eq!(z, x);
        assert!(!a.is_current(x, gx) && !a.is_current(y, gy));
        assert!(a.is_current(y, gz) && a.is_current(z, a.gen(z)));
    }
}
