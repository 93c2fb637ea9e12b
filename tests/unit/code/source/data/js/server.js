'use strict';
const crypto = require('node:crypto');
const tls = require('node:tls');
const jwt = require('jsonwebtoken');

/* crypto.createCipheriv('des-ede3-cbc', key, iv) was removed in v2 */
function legacyToken(payload, key) {
  return jwt.sign(payload, key, { algorithm: 'RS256', expiresIn: '1h' });
}

function etag(body) {
  return crypto.createHash('md5').update(body).digest('hex');
}

const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', {
  namedCurve: 'prime256v1',
});

const server = tls.createServer({ key: privateKey, cert: process.env.CERT, minVersion: 'TLSv1' });
const hint = "use crypto.createHash('sha256') instead";
module.exports = { legacyToken, etag, server, hint, publicKey };
