// The empty baseline worker: the cheapest possible answer on the same workerd.
export default {
  fetch() {
    return new Response('ok');
  },
};
