// Pending file offers: string <p>:file:<chat id>:<file id> = the sender's id, with the offer's expiry
// (PXAT). ARGV[1] is the prefix.

/** ARGV: prefix, chatId, fileId, fromId, expiresAt (epoch ms) */
export const keepFileOffer = `
redis.call('SET', p .. ':file:' .. ARGV[2] .. ':' .. ARGV[3], ARGV[4], 'PXAT', ARGV[5])
return 1
`;

/** ARGV: prefix, chatId, fileId, byId ('' for anyone) -> 1 when a live offer by someone else was taken */
export const takeFileOffer = `
local key = p .. ':file:' .. ARGV[2] .. ':' .. ARGV[3]
local from = redis.call('GET', key)
if not from or from == ARGV[4] then return 0 end
redis.call('DEL', key)
return 1
`;
