//! Index arenas: a `Vec` of slots with a free list and a generation per slot, so that a
//! handle held by a pending event can tell whether its slot was reused.

pub const NONE: u32 = u32::MAX;

pub struct Arena<T> {
    items: Vec<T>,
    gens: Vec<u32>,
    /// Which slots hold a live item (for the rare whole-arena sweeps, such as a crash).
    alive: Vec<bool>,
    free: Vec<u32>,
    live: usize,
}

impl<T> Default for Arena<T> {
    fn default() -> Self {
        Arena {
            alive: Vec::new(),
            items: Vec::new(),
            gens: Vec::new(),
            free: Vec::new(),
            live: 0,
        }
    }
}

impl<T> Arena<T> {
    #[inline]
    pub fn alloc(&mut self, item: T) -> u32 {
        self.live += 1;
        if let Some(i) = self.free.pop() {
            self.items[i as usize] = item;
            self.alive[i as usize] = true;
            i
        } else {
            self.items.push(item);
            self.gens.push(0);
            self.alive.push(true);
            (self.items.len() - 1) as u32
        }
    }

    /// Release a slot; its generation moves on so that pending events for it go stale.
    #[inline]
    pub fn free(&mut self, i: u32) {
        self.gens[i as usize] = self.gens[i as usize].wrapping_add(1);
        self.alive[i as usize] = false;
        self.free.push(i);
        self.live -= 1;
    }

    #[inline]
    pub fn gen(&self, i: u32) -> u32 {
        self.gens[i as usize]
    }

    /// Invalidate the events pending for a live slot, keeping the slot.
    #[inline]
    pub fn bump(&mut self, i: u32) -> u32 {
        let g = self.gens[i as usize].wrapping_add(1);
        self.gens[i as usize] = g;
        g
    }

    pub fn live(&self) -> usize {
        self.live
    }

    /// Indices of live slots, in index order.
    pub fn live_indices(&self) -> impl Iterator<Item = u32> + '_ {
        self.alive
            .iter()
            .enumerate()
            .filter(|(_, a)| **a)
            .map(|(i, _)| i as u32)
    }
}

impl<T> std::ops::Index<u32> for Arena<T> {
    type Output = T;
    #[inline]
    fn index(&self, i: u32) -> &T {
        &self.items[i as usize]
    }
}

impl<T> std::ops::IndexMut<u32> for Arena<T> {
    #[inline]
    fn index_mut(&mut self, i: u32) -> &mut T {
        &mut self.items[i as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuse_moves_the_generation_on() {
        let mut a = Arena::default();
        let i = a.alloc(1);
        let g = a.gen(i);
        a.free(i);
        let j = a.alloc(2);
        assert_eq!(i, j);
        assert_ne!(a.gen(j), g);
        assert_eq!(a.live(), 1);
    }
}
